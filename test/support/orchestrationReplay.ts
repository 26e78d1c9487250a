import { randomUUID } from "node:crypto";
import { ActionType } from "../../devhost/protocol/ActionType.js";
import { EventType } from "../../devhost/protocol/historyEvents.js";
import { invocationContext, registeredFunction, type LogLine } from "./functionsHost.js";

// The extension's event and action numbering, as the local host spells it out: tests of the app's
// orchestrations take it from here, with the rest of the replay harness.
export { ActionType, EventType };

/**
 * Drives an orchestration through the SDK's own replay engine, episode by episode, the way the
 * Durable extension does: each episode hands the registered handler the whole history so far,
 * with the events that arrived since the last one appended; the handler replays and answers with
 * its cumulative actions. Tests deliver completions, events and timer firings and assert what the
 * orchestration does next. Nothing of the SDK is mocked.
 */

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  instanceId?: string;
  operation?: string;
  compoundActions?: Action[];
}

/** An action that takes a sequence number, with that number: what a completion must refer to. */
export interface ScheduledTask {
  sequence: number;
  action: Action;
  /** For entity calls: the request id the response must carry. */
  requestId?: string;
}

export interface EpisodeResult {
  isDone: boolean;
  failed: boolean;
  error?: string;
  output?: unknown;
  customStatus?: unknown;
  /** Top-level actions of the whole generation, as the SDK returns them. */
  actions: Action[];
  /** Tasks this episode scheduled (children of Task.all / Task.any included). */
  newTasks: ScheduledTask[];
  /** The ContinueAsNew input, when the episode ended in ContinueAsNew. */
  continuedAsNewWith?: unknown;
  logs: LogLine[];
}

/** An event the test delivers; built by the OrchestrationRun helpers so ids and timestamps line up. */
export type Delivery = Omit<HistoryEvent, "EventId" | "IsPlayed" | "Timestamp">;

export class OrchestrationRun {
  readonly history: HistoryEvent[] = [];
  /** Every sequence-numbered task this generation scheduled, in order. */
  readonly tasks: ScheduledTask[] = [];
  now: Date;
  last: EpisodeResult | undefined;
  episodes = 0;
  private nextEventId = 0;
  private nextSequence = 0;
  private knownActions = 0;

  constructor(
    readonly name: string,
    private input: unknown,
    readonly instanceId = `test-${randomUUID()}`,
    startAt = new Date("2026-01-05T09:00:00.000Z"),
  ) {
    this.now = new Date(startAt);
  }

  advance(milliseconds: number): this {
    this.now = new Date(this.now.getTime() + milliseconds);
    return this;
  }

  async start(): Promise<EpisodeResult> {
    this.append({ EventType: EventType.OrchestratorStarted });
    this.append({ EventType: EventType.ExecutionStarted, Name: this.name, Input: encode(this.input) });
    return this.runEpisode();
  }

  /** One episode: the events arrive together (a batch), then the orchestrator replays. */
  async deliver(...events: Delivery[]): Promise<EpisodeResult> {
    if (this.last?.isDone === true) throw new Error("The orchestration is done; start a new generation first.");
    for (const event of this.history) event.IsPlayed = true;
    this.append({ EventType: EventType.OrchestratorStarted });
    for (const event of events) this.append(event);
    return this.runEpisode();
  }

  /** After ContinueAsNew: a fresh history whose input is what the orchestration carried over. */
  async continueAsNew(): Promise<EpisodeResult> {
    if (this.last?.continuedAsNewWith === undefined && this.last?.actions.every((a) => a.actionType !== ActionType.ContinueAsNew)) {
      throw new Error("The last episode did not continue as new.");
    }
    this.input = this.last?.continuedAsNewWith;
    this.history.length = 0;
    this.tasks.length = 0;
    this.nextSequence = 0;
    this.knownActions = 0;
    this.last = undefined;
    return this.start();
  }

  /** The pending task whose action matches, oldest first. */
  task(match: (action: Action) => boolean): ScheduledTask {
    const found = this.tasks.find((task) => match(task.action));
    if (found === undefined) throw new Error("No scheduled task matches.");
    return found;
  }

  /** The most recently scheduled task whose action matches (e.g. the current timer of a loop). */
  lastTask(match: (action: Action) => boolean): ScheduledTask {
    const found = [...this.tasks].reverse().find((task) => match(task.action));
    if (found === undefined) throw new Error("No scheduled task matches.");
    return found;
  }

  activityCompleted(task: ScheduledTask, result: unknown): Delivery {
    return { EventType: EventType.TaskCompleted, TaskScheduledId: task.sequence, Result: encode(result) };
  }

  activityFailed(task: ScheduledTask, message: string): Delivery {
    return {
      EventType: EventType.TaskFailed,
      TaskScheduledId: task.sequence,
      Reason: message,
      Details: "",
    };
  }

  subOrchestrationCompleted(task: ScheduledTask, result: unknown): Delivery {
    return { EventType: EventType.SubOrchestrationInstanceCompleted, TaskScheduledId: task.sequence, Result: encode(result) };
  }

  timerFired(task: ScheduledTask): Delivery {
    return { EventType: EventType.TimerFired, TimerId: task.sequence, FireAt: task.action.fireAt };
  }

  eventRaised(name: string, payload: unknown): Delivery {
    return { EventType: EventType.EventRaised, Name: name, Input: encode(payload) };
  }

  /** The entity's answer to a callEntity, as the extension delivers it (an event named by the request id). */
  entityResponded(task: ScheduledTask, result: unknown, errorMessage?: string): Delivery {
    if (task.requestId === undefined) throw new Error("That task is not an entity call.");
    const message =
      errorMessage === undefined
        ? { result: JSON.stringify(result) }
        : { result: JSON.stringify(errorMessage), exceptionType: "CounterOperationError" };
    return { EventType: EventType.EventRaised, Name: task.requestId, Input: JSON.stringify(message) };
  }

  private append(event: Delivery): void {
    this.history.push({ ...event, EventId: this.nextEventId++, IsPlayed: false, Timestamp: this.now.toISOString() } as HistoryEvent);
  }

  private async runEpisode(): Promise<EpisodeResult> {
    const fn = registeredFunction(this.name);
    const logs: LogLine[] = [];
    const trigger = {
      history: this.history.map((event) => ({ ...event })),
      input: this.input,
      instanceId: this.instanceId,
      isReplaying: this.episodes > 0,
      parentInstanceId: undefined,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 3,
      longRunningTimerIntervalDuration: "3.00:00:00",
      maximumShortTimerDuration: "6.00:00:00",
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    this.episodes += 1;
    let state: { isDone: boolean; actions: Action[][]; output?: unknown; customStatus?: unknown; error?: string };
    let failed = false;
    try {
      state = (await fn.handler(trigger, invocationContext(fn, logs))) as typeof state;
    } catch (error) {
      // The SDK throws with its state appended after a marker, as the extension expects.
      const message = error instanceof Error ? error.message : String(error);
      const [reason = message, data] = message.split("\n\n$OutOfProcData$:");
      state = data === undefined ? { isDone: true, actions: [[]] } : (JSON.parse(data) as typeof state);
      // durable-functions 3.5 puts a placeholder ("false") before the marker; the orchestrator's
      // own message is state.error, which is what the extension reports as the failure.
      state.error ??= reason;
      failed = true;
    }
    const actions = state.actions[0] ?? [];
    const newActions = actions.slice(this.knownActions);
    this.knownActions = actions.length;
    const newTasks = this.schedule(newActions);
    const continueAsNew = actions.find((action) => action.actionType === ActionType.ContinueAsNew);
    this.last = {
      isDone: state.isDone || failed,
      failed,
      ...(state.error === undefined ? {} : { error: state.error }),
      output: state.output,
      customStatus: state.customStatus,
      actions,
      newTasks,
      ...(continueAsNew === undefined ? {} : { continuedAsNewWith: continueAsNew.input }),
      logs,
    };
    return this.last;
  }

  /** Numbers new tasks as the SDK does (yield order; compound children in order; waits take none). */
  private schedule(actions: Action[]): ScheduledTask[] {
    const scheduled: ScheduledTask[] = [];
    const visit = (action: Action): void => {
      if (action.compoundActions !== undefined) {
        action.compoundActions.forEach(visit);
        return;
      }
      if (action.actionType === ActionType.WaitForExternalEvent || action.actionType === ActionType.ContinueAsNew) return;
      const task: ScheduledTask = { sequence: this.nextSequence++, action };
      if (action.actionType === ActionType.CallEntity) task.requestId = randomUUID();
      scheduled.push(task);
      this.history.push(this.scheduledEvent(task));
    };
    actions.forEach(visit);
    this.tasks.push(...scheduled);
    return scheduled;
  }

  private scheduledEvent(task: ScheduledTask): HistoryEvent {
    const base = { EventId: task.sequence, IsPlayed: false, Timestamp: this.now.toISOString() };
    switch (task.action.actionType) {
      case ActionType.CreateTimer:
        return { ...base, EventType: EventType.TimerCreated, FireAt: task.action.fireAt };
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        return { ...base, EventType: EventType.SubOrchestrationInstanceCreated, Name: task.action.functionName };
      case ActionType.CallEntity:
      case ActionType.SignalEntity:
        return { ...base, EventType: EventType.EventSent, Input: JSON.stringify({ id: task.requestId ?? randomUUID() }) };
      default:
        return { ...base, EventType: EventType.TaskScheduled, Name: task.action.functionName };
    }
  }
}

/** Strings and objects reach the orchestrator JSON-encoded, as the extension stores them. */
function encode(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export const isActivity = (name: string) => (action: Action): boolean =>
  (action.actionType === ActionType.CallActivity || action.actionType === ActionType.CallActivityWithRetry) &&
  action.functionName === name;

export const isTimer = (action: Action): boolean => action.actionType === ActionType.CreateTimer;

/** A timer's fireAt as an ISO string (the SDK hands back a Date; JSON round trips make it a string). */
export function fireAtOf(action: Action): string {
  const fireAt: unknown = action.fireAt;
  if (fireAt instanceof Date) return fireAt.toISOString();
  if (typeof fireAt === "string") return new Date(fireAt).toISOString();
  throw new Error("That action is not a timer.");
}

/** Actions as the extension receives them: JSON, so a timer's fireAt is an ISO string. */
export function asSent(actions: readonly Action[]): unknown {
  return JSON.parse(JSON.stringify(actions));
}
