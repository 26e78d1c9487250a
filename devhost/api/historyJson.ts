import { EventType, eventTypeName, type HistoryEvent } from "../protocol/historyEvents.js";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";
import { dotNetDateTime } from "./dotNetDateTime.js";
import { jsonToken } from "./jsonToken.js";

export interface HistoryJsonOptions {
  showInput: boolean;
  showHistoryOutput: boolean;
  /** The instance's status: what an ExecutionCompleted stored without OrchestrationStatus reports. */
  runtimeStatus: RuntimeStatus;
}

/** DurableTask.Core's OrchestrationStatus values, which ExecutionCompleted events carry as numbers. */
const ORCHESTRATION_STATUS = ["Running", "Completed", "ContinuedAsNew", "Failed", "Canceled", "Terminated", "Pending", "Suspended"];

/**
 * The fields DurableTask.Core's history event classes serialise, by event type (besides EventType
 * and Timestamp). The host's events carry more (sequence numbers, retry bookkeeping) that the
 * extension's output never shows, so only these are copied.
 */
const EXTENSION_FIELDS: Readonly<Partial<Record<number, readonly string[]>>> = {
  [EventType.ExecutionStarted]: ["Input"],
  [EventType.ExecutionCompleted]: ["OrchestrationStatus", "Result", "FailureDetails"],
  [EventType.ExecutionTerminated]: ["Input"],
  [EventType.TaskScheduled]: ["Name", "Input"],
  [EventType.TaskCompleted]: ["Result"],
  [EventType.TaskFailed]: ["Reason", "Details", "FailureDetails"],
  [EventType.SubOrchestrationInstanceCreated]: ["Name", "InstanceId", "Input"],
  [EventType.SubOrchestrationInstanceCompleted]: ["Result"],
  [EventType.SubOrchestrationInstanceFailed]: ["Reason", "Details", "FailureDetails"],
  [EventType.TimerCreated]: ["FireAt"],
  [EventType.TimerFired]: ["FireAt"],
  [EventType.EventSent]: ["InstanceId", "Name", "Input"],
  [EventType.EventRaised]: ["Name", "Input"],
  [EventType.ContinueAsNew]: ["OrchestrationStatus", "Result", "FailureDetails"],
  [EventType.GenericEvent]: ["Data"],
  [EventType.ExecutionSuspended]: ["Reason"],
  [EventType.ExecutionResumed]: ["Reason"],
};

/** The events that record something the orchestrator scheduled, each under the next sequence number. */
const SCHEDULING_EVENTS: ReadonlySet<number> = new Set([
  EventType.TaskScheduled,
  EventType.SubOrchestrationInstanceCreated,
  EventType.TimerCreated,
  EventType.EventSent,
]);

type Json = Record<string, unknown>;

interface Scheduled {
  index: number;
  name: unknown;
  timestamp: string;
  input: unknown;
}

/**
 * The history as the extension shows it with showHistory=true (DurableClient's
 * GetDurableOrchestrationStatusAsync): EventType as a name; OrchestratorStarted/Completed left out;
 * each TaskScheduled or SubOrchestrationInstanceCreated folded into the event that completes it
 * (FunctionName, ScheduledTime and, with showInput, Input); results only with showHistoryOutput,
 * then as JSON rather than text. Inputs stay JSON text, as there.
 */
export function historyJson(events: readonly HistoryEvent[], options: HistoryJsonOptions): Json[] {
  const scheduled = new Map<string, Scheduled>();
  const removed = new Set<number>();
  let sequenceNumber = 0;
  const items = events.map((event, index) => {
    const item = extensionFields(event);
    switch (event.EventType) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${event.EventType}_${sequenceOf(event, sequenceNumber)}`, {
          index,
          name: event.Name ?? null,
          timestamp: item.Timestamp as string,
          input: event.Input ?? null,
        });
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
        foldScheduled(item, scheduled.get(`${EventType.TaskScheduled}_${event.TaskScheduledId}`), removed, options);
        showResult(item, event.EventType === EventType.TaskCompleted, options);
        break;
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed:
        foldScheduled(item, scheduled.get(`${EventType.SubOrchestrationInstanceCreated}_${event.TaskScheduledId}`), removed, options);
        showResult(item, event.EventType === EventType.SubOrchestrationInstanceCompleted, options);
        break;
      case EventType.ExecutionStarted:
        item.FunctionName = event.Name ?? null;
        break;
      case EventType.ExecutionCompleted:
        item.OrchestrationStatus = statusName(event.OrchestrationStatus) ?? options.runtimeStatus;
        showResult(item, true, options);
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        removed.add(index);
        break;
    }
    if (SCHEDULING_EVENTS.has(event.EventType)) sequenceNumber++;
    if (!options.showInput) delete item.Input;
    return item;
  });
  return items.filter((_, index) => !removed.has(index));
}

function extensionFields(event: HistoryEvent): Json {
  const item: Json = { EventType: eventTypeName(event.EventType) };
  for (const field of EXTENSION_FIELDS[event.EventType] ?? []) {
    const value = event[field];
    if (value !== undefined) item[field] = field === "FireAt" && typeof value === "string" ? dotNetDateTime(value) : value;
  }
  item.Timestamp = dotNetDateTime(event.Timestamp);
  return item;
}

/**
 * The sequence number completions name as TaskScheduledId. The host records it on the event;
 * DurableTask.Core makes it the EventId, which counts the scheduling events before this one.
 */
function sequenceOf(event: HistoryEvent, scheduledBefore: number): number {
  return typeof event.TaskScheduledId === "number" ? event.TaskScheduledId : scheduledBefore;
}

function foldScheduled(item: Json, scheduled: Scheduled | undefined, removed: Set<number>, options: HistoryJsonOptions): void {
  if (scheduled === undefined) return;
  item.ScheduledTime = scheduled.timestamp;
  item.FunctionName = scheduled.name;
  if (options.showInput) item.Input = scheduled.input;
  removed.add(scheduled.index);
}

/** A completion's Result: removed without showHistoryOutput, JSON with it. Failures keep their text. */
function showResult(item: Json, isResult: boolean, options: HistoryJsonOptions): void {
  if (!isResult) return;
  if (!options.showHistoryOutput) delete item.Result;
  else item.Result = jsonToken(typeof item.Result === "string" ? item.Result : undefined);
}

function statusName(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" ? ORCHESTRATION_STATUS[value] : undefined;
}
