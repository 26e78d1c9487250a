/**
 * The orchestration history as the Durable extension hands it to the worker: PascalCase events with
 * numeric EventType values, the shape durable-functions replays. The host stores these same events,
 * so what it writes to Azure Storage is exactly what the SDK reads back.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

export const eventTypeName = (value: number): string =>
  Object.entries(EventType).find(([, candidate]) => candidate === value)?.[0] ?? `Unknown${value}`;

export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
}

/**
 * An event before the host has placed it in a history (no EventId, IsPlayed or Timestamp yet).
 * Inputs and results are JSON text, as the extension stores them. Fields the SDK does not read
 * (RetryOptions, the parent's ids) are kept so that the host can rebuild its own bookkeeping from
 * the history alone after a restart.
 */
export interface NewHistoryEvent {
  EventType: EventTypeValue;
  Name?: string;
  Version?: string;
  Input?: string;
  Result?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetails;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  ParentInstanceId?: string;
  [field: string]: unknown;
}

/** One history event, as stored and as the SDK reads it. */
export interface HistoryEvent extends NewHistoryEvent {
  EventId: number;
  IsPlayed: boolean;
  /** ISO 8601; the host's clock (virtual under time skipping). */
  Timestamp: string;
}
