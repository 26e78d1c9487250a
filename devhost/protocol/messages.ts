import type { NewHistoryEvent } from "./historyEvents.js";

/**
 * What travels on the task hub's queues, and the timers waiting to become messages. Every message
 * has an id that is the same whenever the same step is sent again (after a crash between a commit
 * and a delete, say), and every receiver remembers the ids it has applied: that is what makes each
 * step take effect exactly once although queues deliver at least once.
 */

/** An event for an orchestration instance, appended to its history when an episode takes it. */
export interface OrchestrationMessage {
  kind: "orchestration";
  id: string;
  instanceId: string;
  /**
   * For replies to something an execution scheduled (completions, timers, sub-orchestration
   * results): that execution. A reply for an execution that has since ended or continued as new is
   * dropped. Absent for events addressed to the instance (raised events, ExecutionStarted, terminate,
   * suspend, resume).
   */
  executionId?: string;
  event: NewHistoryEvent;
  /** On ExecutionStarted: the execution this start creates. */
  newExecutionId?: string;
  /** On ExecutionStarted of a sub-orchestration: whom to report to. */
  parent?: ParentReference;
}

export interface ParentReference {
  instanceId: string;
  executionId: string;
  /** The sequence number of the CallSubOrchestrator task in the parent. */
  taskScheduledId: number;
}

/** An operation for an entity (entity instance ids look like "@counter@key"). */
export interface EntityOperationMessage {
  kind: "entity";
  id: string;
  /** "@name@key", with the name lower-cased, as the SDK and the extension spell entity instances. */
  instanceId: string;
  operation: string;
  /** JSON text, or absent for no input. */
  input?: string;
  isSignal: boolean;
  /** Present for calls from orchestrations: the response is raised there as an event named requestId. */
  requestId?: string;
  caller?: { instanceId: string; executionId: string };
}

export type ControlMessage = OrchestrationMessage | EntityOperationMessage;

/** Work that runs outside any instance's episode: an activity, or an HTTP request for callHttp. */
export interface WorkItemMessage {
  kind: "activity" | "http";
  id: string;
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  /** The activity's name (for "http": the request's method and URL, for logs). */
  name: string;
  /** JSON text: the activity's input, or for "http" the DurableHttpRequest. */
  input?: string;
}

/** A durable timer: at fireAt the message is sent (TimerFired to its instance). */
export interface TimerRecord {
  fireAt: string;
  message: OrchestrationMessage;
}

/** What an episode (or a batch of entity operations) sends once its results are committed. */
export type OutgoingMessage =
  | { to: "control"; message: ControlMessage }
  | { to: "workItems"; message: WorkItemMessage }
  | { to: "timers"; timer: TimerRecord };

/** The entity instance id the SDK and the extension use: "@" + lower-cased name + "@" + key. */
export const entityInstanceId = (name: string, key: string): string => `@${name.toLowerCase()}@${key}`;

export function parseEntityInstanceId(instanceId: string): { name: string; key: string } | undefined {
  const match = /^@([^@]*)@(.*)$/s.exec(instanceId);
  return match?.[1] === undefined || match[2] === undefined ? undefined : { name: match[1], key: match[2] };
}

export const isEntityInstanceId = (instanceId: string): boolean => instanceId.startsWith("@");
