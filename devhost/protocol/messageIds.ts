/**
 * Ids of the messages the runners send. Each is a pure function of who sends it and which step
 * of theirs it is, so an episode or batch that runs again after a crash resends under the same id and
 * the receiver drops the copy. The parts are joined with "|", escaped inside them, so that no two
 * steps share an id whatever their instance ids contain.
 */
export const messageIds = {
  /** An activity or HTTP request for task `sequence` of an execution. */
  workItem: (instanceId: string, executionId: string, sequence: number): string => join(instanceId, executionId, "task", sequence),
  /** The TimerFired of timer `sequence`. */
  timer: (instanceId: string, executionId: string, sequence: number): string => join(instanceId, executionId, "timer", sequence),
  /** The start of the sub-orchestration task `sequence` creates. */
  subOrchestration: (instanceId: string, executionId: string, sequence: number): string =>
    join(instanceId, executionId, "suborchestration", sequence),
  /** A call or signal to an entity, task `sequence`. */
  entityOperation: (instanceId: string, executionId: string, sequence: number): string => join(instanceId, executionId, "entity", sequence),
  /** The start of the execution a ContinueAsNew creates. */
  continueAsNew: (instanceId: string, executionId: string): string => join(instanceId, executionId, "continueasnew"),
  /** A sub-orchestration's result, sent to its parent. */
  subOrchestrationResult: (instanceId: string, executionId: string): string => join(instanceId, executionId, "result"),
  /** The completion of a work item. */
  workItemResult: (workItemId: string): string => join(workItemId, "result"),
  /** An entity's answer to the call that message `requestMessageId` brought. */
  entityResponse: (entityId: string, requestMessageId: string): string => join(entityId, requestMessageId, "response"),
  /** The `index`th signal an entity sent while handling message `requestMessageId`. */
  entitySignal: (entityId: string, requestMessageId: string, index: number): string => join(entityId, requestMessageId, "signal", index),
};

function join(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replaceAll("%", "%25").replaceAll("|", "%7C")).join("|");
}
