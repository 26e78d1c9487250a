import { ActionType } from "../protocol/ActionType.js";
import { EventType, type HistoryEvent, type NewHistoryEvent } from "../protocol/historyEvents.js";
import { HTTP_ACTIVITY_NAME } from "./httpActivityName.js";
import type { ParentReference } from "../protocol/messages.js";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";
import type { SdkRetryOptions } from "../protocol/SdkRetryOptions.js";
import type { Slot } from "./Slot.js";

const END_STATUS = {
  [EventType.ExecutionCompleted]: "Completed",
  [EventType.ExecutionFailed]: "Failed",
  [EventType.ExecutionTerminated]: "Terminated",
  [EventType.ContinueAsNew]: "ContinuedAsNew",
} as const satisfies Record<number, RuntimeStatus>;

const ORIGINS: readonly Slot["origin"][] = ["action", "retryTimer", "retryAttempt", "subTimer", "pollTimer", "pollRequest"];

/**
 * Everything the host knows about an execution, rebuilt from its history (the host keeps no other
 * state): what started it, every sequence number handed out, which tasks have completed, which
 * entity calls were answered. Episodes apply their new events to it as they plan them, so later
 * decisions in the same episode see earlier ones.
 */
export class OrchestrationLedger {
  name: string | undefined;
  input: string | undefined;
  version: string | undefined;
  parent: ParentReference | undefined;
  started = false;
  suspended = false;
  /** How the execution ended, once it has, with its output (JSON text). */
  end: { status: RuntimeStatus; output: string | undefined; at: string } | undefined;
  /** The custom status the last episode left (JSON text). */
  customStatus: string | undefined;
  /** The SDK's currentUtcDateTime: the latest OrchestratorStarted so far. */
  currentTime: Date | undefined;
  /** By sequence number. */
  readonly slots: Slot[] = [];
  /** Sequence numbers whose task has completed or failed, or whose timer has fired: a later reply for them is a redelivery. */
  readonly completed = new Set<number>();
  /** Entity call request ids, to the call's sequence number. */
  readonly requestIds = new Map<string, number>();
  /** Entity call request ids that have had their answer: a second answer is a duplicate. */
  readonly answered = new Set<string>();
  /** Names of the external events applied so far, in order (entity responses excluded). */
  readonly externalEvents: string[] = [];

  static read(history: readonly HistoryEvent[]): OrchestrationLedger {
    const ledger = new OrchestrationLedger();
    for (const event of history) ledger.apply(event, new Date(event.Timestamp));
    return ledger;
  }

  apply(event: NewHistoryEvent, at: Date): void {
    switch (event.EventType) {
      case EventType.ExecutionStarted:
        this.started = true;
        this.name = event.Name;
        this.input = event.Input;
        this.version = event.Version;
        this.parent = parentOf(event);
        break;
      case EventType.OrchestratorStarted:
        if (this.currentTime === undefined || at > this.currentTime) this.currentTime = at;
        break;
      case EventType.OrchestratorCompleted:
        this.customStatus = typeof event.CustomStatus === "string" ? event.CustomStatus : undefined;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ExecutionFailed:
      case EventType.ExecutionTerminated:
      case EventType.ContinueAsNew:
        this.end = { status: END_STATUS[event.EventType], output: event.Result, at: at.toISOString() };
        break;
      case EventType.ExecutionSuspended:
        this.suspended = true;
        break;
      case EventType.ExecutionResumed:
        this.suspended = false;
        break;
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
      case EventType.TimerCreated:
      case EventType.EventSent:
        this.addSlot(event, at);
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed:
        if (event.TaskScheduledId !== undefined) this.completed.add(event.TaskScheduledId);
        break;
      case EventType.TimerFired:
        if (event.TimerId !== undefined) this.completed.add(event.TimerId);
        break;
      case EventType.EventRaised: {
        const name = event.Name ?? "";
        if (this.requestIds.has(name)) this.answered.add(name);
        else this.externalEvents.push(name);
        break;
      }
    }
  }

  slot(sequence: number): Slot | undefined {
    return this.slots[sequence];
  }

  /** The slot of an open task: one of the given kinds, not completed yet. */
  openSlot(sequence: number | undefined, kinds: readonly Slot["kind"][]): Slot | undefined {
    if (sequence === undefined || this.completed.has(sequence)) return undefined;
    const slot = this.slot(sequence);
    return slot !== undefined && kinds.includes(slot.kind) ? slot : undefined;
  }

  /** The first slot of the slot's group. */
  head(slot: Slot): Slot {
    return this.slot(slot.group) ?? slot;
  }

  /** The retry options of the retry group the slot belongs to, if it does. */
  retryOptions(slot: Slot): SdkRetryOptions | undefined {
    if (slot.kind === "timer" && slot.origin !== "retryTimer") return undefined;
    const options = this.head(slot).event.RetryOptions;
    return typeof options === "object" && options !== null ? (options as SdkRetryOptions) : undefined;
  }

  /** How many attempts a retry group has made (its first attempt and every retry). */
  attempts(group: number): number {
    return this.slots.filter((slot) => slot.group === group && slot.kind !== "timer").length;
  }

  /** The slots of the tasks the orchestrator itself yielded, in order (what a replay must yield again). */
  actionSlots(): Slot[] {
    return this.slots.filter((slot) => slot.origin === "action");
  }

  private addSlot(event: NewHistoryEvent, at: Date): void {
    const sequence = event.EventType === EventType.TimerCreated ? event.TimerId : event.TaskScheduledId;
    if (sequence === undefined) return;
    const origin = ORIGINS.find((candidate) => candidate === event.Origin) ?? "action";
    const group = typeof event.GroupId === "number" ? event.GroupId : sequence;
    this.slots[sequence] = { sequence, kind: kindOf(event), origin, group, scheduledAt: at, event };
    if (event.EventType === EventType.EventSent) {
      const requestId = requestIdOf(event);
      if (requestId !== undefined && event.ActionType === ActionType.CallEntity) this.requestIds.set(requestId, sequence);
    }
  }
}

function kindOf(event: NewHistoryEvent): Slot["kind"] {
  switch (event.EventType) {
    case EventType.TimerCreated:
      return "timer";
    case EventType.SubOrchestrationInstanceCreated:
      return "subOrchestration";
    case EventType.EventSent:
      return event.ActionType === ActionType.SignalEntity ? "entitySignal" : "entityCall";
    default:
      return event.Name === HTTP_ACTIVITY_NAME ? "http" : "activity";
  }
}

function requestIdOf(event: NewHistoryEvent): string | undefined {
  try {
    const request = JSON.parse(event.Input ?? "null") as { id?: unknown } | null;
    return typeof request?.id === "string" ? request.id : undefined;
  } catch {
    return undefined;
  }
}

function parentOf(event: NewHistoryEvent): ParentReference | undefined {
  const { ParentInstanceId: instanceId, ParentExecutionId: executionId, ParentTaskScheduledId: taskScheduledId } = event;
  if (typeof instanceId !== "string" || typeof executionId !== "string" || typeof taskScheduledId !== "number") return undefined;
  return { instanceId, executionId, taskScheduledId };
}
