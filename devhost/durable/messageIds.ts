/**
 * Ids of the messages the runners send. Each is a pure function of who sends it and which step
 * of theirs it is, so an episode or batch that runs again after a crash resends under the same id and
 * the receiver drops the copy. The instance id comes first and may contain "|"; the parts after it
 * never do, which keeps the ids unambiguous.
 */
export const messageIds = {
  /** An activity or HTTP request for task `sequence` of an execution. */
  workItem: (instanceId: string, executionId: string, sequence: number): string => `${instanceId}|${executionId}|task|${sequence}`,
  /** The TimerFired of timer `sequence`. */
  timer: (instanceId: string, executionId: string, sequence: number): string => `${instanceId}|${executionId}|timer|${sequence}`,
  /** The start of the sub-orchestration task `sequence` creates. */
  subOrchestration: (instanceId: string, executionId: string, sequence: number): string =>
    `${instanceId}|${executionId}|suborchestration|${sequence}`,
  /** A call or signal to an entity, task `sequence`. */
  entityOperation: (instanceId: string, executionId: string, sequence: number): string => `${instanceId}|${executionId}|entity|${sequence}`,
  /** The start of the execution a ContinueAsNew creates. */
  continueAsNew: (instanceId: string, executionId: string): string => `${instanceId}|${executionId}|continueasnew`,
  /** A sub-orchestration's result, sent to its parent. */
  subOrchestrationResult: (instanceId: string, executionId: string): string => `${instanceId}|${executionId}|result`,
  /** The completion of a work item. */
  workItemResult: (workItemId: string): string => `${workItemId}|result`,
  /** An entity's answer to the call that message `requestMessageId` brought. */
  entityResponse: (entityId: string, requestMessageId: string): string => `${entityId}|${requestMessageId}|response`,
  /** The `index`th signal an entity sent while handling message `requestMessageId`. */
  entitySignal: (entityId: string, requestMessageId: string, index: number): string => `${entityId}|${requestMessageId}|signal|${index}`,
};
