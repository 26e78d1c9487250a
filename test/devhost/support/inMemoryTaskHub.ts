import { randomUUID } from "node:crypto";
import { ActivityRunner } from "../../../devhost/activities/ActivityRunner.js";
import { EntityRunner } from "../../../devhost/entities/EntityRunner.js";
import type { FunctionInvoker } from "../../../devhost/protocol/FunctionInvoker.js";
import { EventType, type HistoryEvent, type NewHistoryEvent } from "../../../devhost/protocol/historyEvents.js";
import {
  entityInstanceId,
  type ControlMessage,
  type EntityOperationMessage,
  type OrchestrationMessage,
  type OutgoingMessage,
  type TimerRecord,
  type WorkItemMessage,
} from "../../../devhost/protocol/messages.js";
import { OrchestrationRunner, type EpisodeResult } from "../../../devhost/orchestrations/OrchestrationRunner.js";
import { isFinished } from "../../../devhost/protocol/runtimeStatus.js";
import type { EntityRecord } from "../../../devhost/storage/records.js";
import { RecordingLogger } from "./RecordingLogger.js";

/** Where a hub's clock starts unless a test says otherwise; tests reckon expected times from it. */
export const T0 = new Date("2026-01-05T09:00:00.000Z");

export interface HubInstance {
  instanceId: string;
  executionId: string;
  /** The current execution's history. */
  history: HistoryEvent[];
  /** Every episode's result, all executions. */
  episodes: EpisodeResult[];
  status: EpisodeResult["instance"];
  /** Messages already taken (applied, dropped), across executions: redeliveries are skipped. */
  taken: Set<string>;
  /** Messages the runner deferred (a suspended instance), queued again once it is not. */
  parked: ControlMessage[];
}

/**
 * A task hub in memory around the three runners: a control queue (orchestration and entity
 * messages), a work-item queue, durable timers on a fake clock. Each step is explicit so that tests
 * decide what arrives in one batch; runUntilIdle chains them, moving the clock to the next timer
 * when nothing else is left. It keeps the engine's rules that matter to the runners: one batch per
 * instance per pass, redeliveries skipped by message id, replies to another execution dropped,
 * messages before a start (or during a ContinueAsNew) held back.
 */
export class InMemoryTaskHub {
  now: Date;
  readonly logger = new RecordingLogger();
  readonly orchestrations: OrchestrationRunner;
  readonly activities: ActivityRunner;
  readonly entities: EntityRunner;
  readonly instances = new Map<string, HubInstance>();
  readonly entityRecords = new Map<string, EntityRecord>();
  /** Everything the runners sent, in order. */
  readonly sent: OutgoingMessage[] = [];
  control: ControlMessage[] = [];
  workItems: WorkItemMessage[] = [];
  timers: TimerRecord[] = [];
  /** Events that arrived before their instance started (or while it continues as new). */
  private readonly waiting = new Map<string, OrchestrationMessage[]>();

  constructor(app: FunctionInvoker, start = T0) {
    this.now = new Date(start);
    this.orchestrations = new OrchestrationRunner(app, this.logger);
    this.activities = new ActivityRunner(app, this.logger);
    this.entities = new EntityRunner(app, this.logger);
  }

  startOrchestration(name: string, input?: unknown, instanceId = `test-${randomUUID()}`): string {
    this.send({
      kind: "orchestration",
      id: randomUUID(),
      instanceId,
      event: { EventType: EventType.ExecutionStarted, Name: name, ...(input === undefined ? {} : { Input: JSON.stringify(input) }) },
      newExecutionId: randomUUID().replaceAll("-", ""),
    });
    return instanceId;
  }

  raiseEvent(instanceId: string, name: string, payload?: unknown): string {
    return this.sendEvent(instanceId, { EventType: EventType.EventRaised, Name: name, ...(payload === undefined ? {} : { Input: JSON.stringify(payload) }) });
  }

  terminate(instanceId: string, reason?: string): string {
    return this.sendEvent(instanceId, { EventType: EventType.ExecutionTerminated, ...(reason === undefined ? {} : { Input: JSON.stringify(reason) }) });
  }

  suspend(instanceId: string): string {
    return this.sendEvent(instanceId, { EventType: EventType.ExecutionSuspended });
  }

  resume(instanceId: string): string {
    return this.sendEvent(instanceId, { EventType: EventType.ExecutionResumed });
  }

  signalEntity(name: string, key: string, operation: string, input?: unknown): void {
    this.send({
      kind: "entity",
      id: randomUUID(),
      instanceId: entityInstanceId(name, key),
      operation,
      ...(input === undefined ? {} : { input: JSON.stringify(input) }),
      isSignal: true,
    });
  }

  send(message: ControlMessage): void {
    this.control.push(message);
  }

  advance(milliseconds: number): void {
    this.now = new Date(this.now.getTime() + milliseconds);
  }

  /** One pass over the control queue: one batch (all its queued messages) per instance and entity. */
  async runEpisodes(): Promise<number> {
    const taken = this.control;
    this.control = [];
    const batches = new Map<string, ControlMessage[]>();
    for (const message of taken) batches.set(message.instanceId, [...(batches.get(message.instanceId) ?? []), message]);
    for (const [instanceId, batch] of batches) {
      const entityMessages = batch.filter((message): message is EntityOperationMessage => message.kind === "entity");
      if (entityMessages.length > 0) await this.runEntityBatch(instanceId, entityMessages);
      const orchestrationMessages = batch.filter((message): message is OrchestrationMessage => message.kind === "orchestration");
      if (orchestrationMessages.length > 0) await this.runOrchestrationBatch(instanceId, orchestrationMessages);
    }
    return batches.size;
  }

  /** Runs every queued work item; their completions join the control queue. */
  async runWorkItems(): Promise<number> {
    const items = this.workItems;
    this.workItems = [];
    for (const item of items) this.send(await this.activities.run(item));
    return items.length;
  }

  /** Delivers the timers due at the current time. */
  fireDueTimers(): number {
    const due = this.timers.filter((timer) => new Date(timer.fireAt) <= this.now);
    this.timers = this.timers.filter((timer) => !due.includes(timer));
    for (const timer of due.sort((a, b) => a.fireAt.localeCompare(b.fireAt))) this.send(timer.message);
    return due.length;
  }

  /** Moves the clock to the earliest timer; false when there is none. */
  advanceToNextTimer(): boolean {
    const next = this.timers.map((timer) => new Date(timer.fireAt)).sort((a, b) => a.getTime() - b.getTime())[0];
    if (next === undefined) return false;
    if (next > this.now) this.now = next;
    return true;
  }

  /** Runs episodes, work items and due timers until nothing moves; with `timers`, then skips to the next timer. */
  async runUntilIdle(options: { timers?: boolean; maxPasses?: number } = {}): Promise<void> {
    const { timers = true, maxPasses = 500 } = options;
    for (let pass = 0; pass < maxPasses; pass++) {
      const moved = (await this.runEpisodes()) + (await this.runWorkItems()) + this.fireDueTimers();
      if (moved > 0) continue;
      if (!timers || !this.advanceToNextTimer()) return;
    }
    throw new Error(`The task hub was still busy after ${maxPasses} passes.`);
  }

  instance(instanceId: string): HubInstance {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`No instance '${instanceId}'.`);
    return instance;
  }

  /** The instance's output, parsed from the JSON the runner stored; JSON.parse throws while there is none. */
  output(instanceId: string): unknown {
    return JSON.parse(this.instance(instanceId).status.output ?? "undefined");
  }

  /** The current execution's events of a type. */
  events(instanceId: string, type: number): HistoryEvent[] {
    return this.instance(instanceId).history.filter((event) => event.EventType === type);
  }

  private sendEvent(instanceId: string, event: NewHistoryEvent): string {
    const id = randomUUID();
    this.send({ kind: "orchestration", id, instanceId, event });
    return id;
  }

  private async runOrchestrationBatch(instanceId: string, batch: OrchestrationMessage[]): Promise<void> {
    const known = this.instances.get(instanceId);
    const fresh = batch.filter((message) => known?.taken.has(message.id) !== true);
    const status = known?.status.runtimeStatus;
    const awaitingStart = status === undefined || status === "ContinuedAsNew" || isFinished(status);
    const start = awaitingStart
      ? fresh.find((message) => message.event.EventType === EventType.ExecutionStarted && message.newExecutionId !== known?.executionId)
      : undefined;
    if (awaitingStart && start?.newExecutionId === undefined) {
      // Events for an instance that has not started, or is between executions, wait for the start;
      // after the end, everything is dropped.
      if (status === undefined || status === "ContinuedAsNew") this.waitingFor(instanceId).push(...fresh.filter((message) => message.executionId === undefined));
      return;
    }
    const current = start === undefined ? known : this.newExecution(instanceId, known, start);
    if (current === undefined) return;
    const waiting = start === undefined ? [] : this.waitingFor(instanceId).splice(0);
    const messages = [...(start === undefined ? [] : [start]), ...waiting, ...fresh].filter(
      (message, index, all) =>
        all.indexOf(message) === index &&
        (message === start ||
          (message.event.EventType !== EventType.ExecutionStarted && (message.executionId ?? current.executionId) === current.executionId)),
    );
    if (messages.length === 0) return;
    const result = await this.orchestrations.runEpisode({
      instanceId,
      executionId: current.executionId,
      history: current.history,
      messages,
      now: this.now,
    });
    result.newEvents.forEach((stored, index) => {
      if (stored.event.EventId !== current.history.length + index) throw new Error("Episode events must continue the history's EventIds.");
    });
    current.history = [...current.history, ...result.newEvents.map((stored) => stored.event)];
    current.episodes.push(result);
    current.status = result.instance;
    for (const stored of result.newEvents) if (stored.messageId !== undefined) current.taken.add(stored.messageId);
    for (const id of result.droppedMessageIds) current.taken.add(id);
    const deferred = new Set(result.deferredMessageIds);
    current.parked.push(...messages.filter((message) => deferred.has(message.id)));
    if (current.status.runtimeStatus !== "Suspended") this.control.push(...current.parked.splice(0));
    this.route(result.outbox);
  }

  private newExecution(instanceId: string, previous: HubInstance | undefined, start: OrchestrationMessage): HubInstance {
    const instance: HubInstance = {
      instanceId,
      executionId: start.newExecutionId ?? "",
      history: [],
      episodes: previous?.episodes ?? [],
      status: { name: start.event.Name ?? "", runtimeStatus: "Pending" },
      taken: previous?.taken ?? new Set(),
      parked: previous?.parked ?? [],
    };
    this.instances.set(instanceId, instance);
    return instance;
  }

  private waitingFor(instanceId: string): OrchestrationMessage[] {
    let waiting = this.waiting.get(instanceId);
    if (waiting === undefined) this.waiting.set(instanceId, (waiting = []));
    return waiting;
  }

  private async runEntityBatch(instanceId: string, batch: EntityOperationMessage[]): Promise<void> {
    const record = this.entityRecords.get(instanceId);
    const fresh = batch.filter((message) => record?.processedMessageIds.includes(message.id) !== true);
    if (fresh.length === 0) return;
    const result = await this.entities.runBatch({ instanceId, ...(record === undefined ? {} : { record }), messages: fresh, now: this.now });
    const [, name = "", key = ""] = /^@([^@]*)@(.*)$/s.exec(instanceId) ?? [];
    this.entityRecords.set(instanceId, {
      instanceId,
      name,
      key,
      exists: result.exists,
      ...(result.state === undefined ? {} : { state: result.state }),
      processedMessageIds: [...(record?.processedMessageIds ?? []), ...fresh.map((message) => message.id)],
      outbox: result.outbox,
      lastModifiedTime: this.now.toISOString(),
    });
    this.route(result.outbox);
  }

  private route(outbox: OutgoingMessage[]): void {
    for (const item of outbox) {
      this.sent.push(item);
      if (item.to === "control") this.send(item.message);
      else if (item.to === "workItems") this.workItems.push(item.message);
      else this.timers.push(item.timer);
    }
  }
}
