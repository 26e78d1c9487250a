import { EventType, type HistoryEvent } from "../protocol/historyEvents.js";
import { hostTimerSettings } from "./hostTimerSettings.js";

/**
 * The extension's replay schemas: V2 = 1, V3 = 2, V4 = 3. It sends V2 as upperSchemaVersion (for old
 * Python SDKs) and its newest as upperSchemaVersionNew, which durable-functions prefers. V3 is what
 * long timers and callHttp polling need. The real extension sends V4 (3.19 sends 3, as the
 * real-extension host shows), which lets durable-functions take entity locks; this host does not
 * implement the lock actions, so it offers V3, and an orchestration that takes a lock fails with the
 * SDK's own refusal instead of misbehaving.
 */
const UPPER_SCHEMA_VERSION = 1;
const UPPER_SCHEMA_VERSION_NEW = 2;

interface OrchestrationTriggerSource {
  instanceId: string;
  parentInstanceId: string | undefined;
  /** The execution's input as JSON text. */
  input: string | undefined;
  /** Committed events (the SDK sees them as played). */
  history: readonly HistoryEvent[];
  /** This episode's events, OrchestratorStarted first. */
  newEvents: readonly HistoryEvent[];
}

/**
 * The orchestration trigger's input, as the extension serialises it: the history in the Durable Task
 * Framework's shape (EventId is the task's sequence number on the events that record one, -1 on the
 * others; IsPlayed marks committed events) and the settings the SDK needs. It goes through JSON as
 * it does on the wire, so the SDK gets plain data it may change.
 */
export function orchestrationTrigger(source: OrchestrationTriggerSource): unknown {
  const history = [
    ...source.history.map((event) => ({ ...event, EventId: frameworkEventId(event), IsPlayed: true })),
    ...source.newEvents.map((event) => ({ ...event, EventId: frameworkEventId(event), IsPlayed: false })),
  ];
  return JSON.parse(
    JSON.stringify({
      history,
      input: source.input === undefined ? null : (JSON.parse(source.input) as unknown),
      instanceId: source.instanceId,
      isReplaying: source.history.length > 0,
      parentInstanceId: source.parentInstanceId ?? null,
      upperSchemaVersion: UPPER_SCHEMA_VERSION,
      upperSchemaVersionNew: UPPER_SCHEMA_VERSION_NEW,
      longRunningTimerIntervalDuration: hostTimerSettings.longRunningTimerIntervalDuration,
      maximumShortTimerDuration: hostTimerSettings.maximumShortTimerDuration,
      defaultHttpAsyncRequestSleepTimeMillseconds: hostTimerSettings.defaultHttpAsyncRequestSleepTimeMillseconds,
    }),
  );
}

/** The SDK matches an entity call's EventSent to its task by EventId, so it must be the sequence number. */
function frameworkEventId(event: HistoryEvent): number {
  switch (event.EventType) {
    case EventType.TaskScheduled:
    case EventType.SubOrchestrationInstanceCreated:
    case EventType.EventSent:
      return event.TaskScheduledId ?? -1;
    case EventType.TimerCreated:
      return event.TimerId ?? -1;
    default:
      return -1;
  }
}
