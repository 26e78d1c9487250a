import type { HostLogger } from "../app/HostLogger.js";
import { ActionType } from "../protocol/ActionType.js";
import { applyMessage } from "./applyMessage.js";
import { checkDeterminism } from "./checkDeterminism.js";
import { continueAsNewStart } from "./continueAsNewStart.js";
import { continuingPrefix } from "./continuingPrefix.js";
import { EpisodeWork } from "./EpisodeWork.js";
import { executionFailed } from "./executionFailed.js";
import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import { EventType, type NewHistoryEvent } from "../protocol/historyEvents.js";
import { invokeOrchestrator } from "./invokeOrchestrator.js";
import { jsonText } from "./jsonText.js";
import { leafActions } from "./leafActions.js";
import type { OrchestrationMessage, OutgoingMessage } from "../protocol/messages.js";
import { OrchestrationFault } from "./OrchestrationFault.js";
import { OrchestrationLedger } from "./OrchestrationLedger.js";
import type { EpisodeInput, EpisodeResult } from "./OrchestrationRunner.js";
import { orchestrationTrigger } from "./orchestrationTrigger.js";
import { parentReport } from "./parentReport.js";
import type { OrchestrationFailure } from "./OrchestrationFailure.js";
import { orchestratorFailure } from "./orchestratorFailure.js";
import type { PlannedEvent } from "./PlannedEvent.js";
import type { RecordedEvent } from "./RecordedEvent.js";
import { isFinished, type RuntimeStatus } from "../protocol/runtimeStatus.js";
import { scheduleLeaf } from "./scheduleLeaf.js";
import { sortBatch } from "./sortBatch.js";
import type { SdkAction } from "../protocol/SdkAction.js";
import type { SdkOrchestratorState } from "../protocol/SdkOrchestratorState.js";
import { unconsumedEvents } from "./unconsumedEvents.js";

interface Ending {
  status: RuntimeStatus;
  /** Events after OrchestratorStarted (and ExecutionStarted), before OrchestratorCompleted. */
  events: RecordedEvent[];
  customStatus: string | undefined;
  end?: RecordedEvent;
  outbox: OutgoingMessage[];
  output?: string;
  input?: string;
  continuedAsNew?: { newExecutionId: string };
}

const PROBE_REASON = "Replay to find the events a ContinueAsNew left unconsumed";

/** The SDK must see the numbering events before the resuming ones (see PlannedEvent). */
const PHASE_ORDER: Record<PlannedEvent["phase"], number> = { numbering: 0, resuming: 1 };

/** One episode of one execution (see OrchestrationRunner). */
export class OrchestrationEpisode {
  private readonly ledger: OrchestrationLedger;
  /** Names of the external events earlier episodes applied. */
  private readonly earlierExternalEvents: string[];
  /** The SDK's current time in this episode: the host clock, never earlier than an earlier episode's. */
  private readonly now: Date;
  private readonly work: EpisodeWork;
  /** OrchestratorStarted, and a new execution's ExecutionStarted. */
  private readonly opening: RecordedEvent[] = [];
  private readonly batch: ReturnType<typeof sortBatch>;

  constructor(
    private readonly app: FunctionInvoker,
    private readonly logger: HostLogger,
    private readonly input: EpisodeInput,
  ) {
    this.ledger = OrchestrationLedger.read(input.history);
    this.earlierExternalEvents = [...this.ledger.externalEvents];
    const last = this.ledger.currentTime;
    this.now = last !== undefined && last > input.now ? last : input.now;
    this.work = new EpisodeWork(this.ledger, app, input.instanceId, input.executionId, this.now);
    this.batch = sortBatch(this.ledger, input.messages);
    for (const id of this.batch.dropped) this.work.drop(id);
  }

  async run(): Promise<EpisodeResult> {
    const { start, terminate, control, toApply } = this.batch;
    if (start === undefined && terminate === undefined && control.length === 0 && toApply.length === 0) return this.unchanged();
    this.open(start);
    if (terminate !== undefined) return this.terminated(terminate);
    toApply.forEach((message, arrival) => applyMessage(this.work, message, arrival));
    // A stable sort: within a phase and an arrival, a retry timeout's added events stay after the failure that added them.
    const planned = [...this.work.planned].sort((a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] || a.arrival - b.arrival);
    // Nothing for the SDK to see (every message dropped, or only suspend and resume requests): the orchestrator does not run.
    if (start === undefined && planned.length === 0) {
      if (control.length === 0) return this.unchanged();
      return this.finish({ status: this.openStatus(), events: control, customStatus: this.ledger.customStatus, outbox: [] });
    }
    return this.runOrchestrator(planned);
  }

  private open(start: OrchestrationMessage | undefined): void {
    this.opening.push({ event: { EventType: EventType.OrchestratorStarted } });
    if (start !== undefined) {
      const parent = start.parent;
      const event: NewHistoryEvent = {
        ...start.event,
        ExecutionId: this.input.executionId,
        ...(parent === undefined
          ? {}
          : { ParentInstanceId: parent.instanceId, ParentExecutionId: parent.executionId, ParentTaskScheduledId: parent.taskScheduledId }),
      };
      this.opening.push({ event, messageId: start.id });
    }
    for (const recorded of [...this.opening, ...this.batch.control]) this.ledger.apply(recorded.event, this.now);
  }

  private async runOrchestrator(planned: PlannedEvent[]): Promise<EpisodeResult> {
    const name = this.ledger.name ?? "";
    const fn = this.app.get(name);
    if (fn?.trigger.type !== "orchestrationTrigger") {
      const reason = `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`;
      return this.failed({ reason, errorType: "ArgumentException", details: "" }, planned, undefined);
    }
    const run = await invokeOrchestrator(this.app, fn.name, this.triggerInput([...this.opening, ...planned, ...this.batch.control]));
    const actions = run.state.actions.flat();
    try {
      if (run.hasActions) {
        const leaves = leafActions(actions);
        const known = this.ledger.actionSlots().length;
        checkDeterminism(name, this.ledger, leaves);
        if (run.error === undefined) for (const leaf of leaves.slice(known)) scheduleLeaf(this.work, leaf);
      }
    } catch (error) {
      if (!(error instanceof OrchestrationFault)) throw error;
      return this.failed({ reason: error.message, errorType: error.errorType, details: "" }, planned, run.state);
    }
    if (run.error !== undefined) return this.failed(orchestratorFailure(name, run.error, run.state), planned, run.state);
    const continueAsNew = actions.find((action) => action.actionType === ActionType.ContinueAsNew);
    if (continueAsNew !== undefined) return this.continuedAsNew(fn.name, continueAsNew, actions, planned, run.state);
    const events = [...planned, ...this.batch.control, ...this.work.scheduling.map((event) => ({ event }))];
    const customStatus = customStatusOf(run.state);
    if (!run.state.isDone) return this.finish({ status: this.openStatus(), events, customStatus, outbox: this.work.outbox });
    const output = JSON.stringify(run.state.output ?? null);
    const parent = this.reportToParent({ status: "Completed", output });
    return this.finish({
      status: "Completed",
      events,
      customStatus,
      end: { event: { EventType: EventType.ExecutionCompleted, Result: output, OrchestrationStatus: "Completed" } },
      outbox: [...this.work.outbox, ...parent],
      output,
    });
  }

  /**
   * The extension runs a Node.js orchestrator's ContinueAsNew without keeping the batch's unprocessed
   * events: those the orchestrator had not taken when it continued are lost. The host does the same,
   * and names them.
   */
  private async continuedAsNew(
    functionName: string,
    action: SdkAction,
    actions: readonly SdkAction[],
    planned: PlannedEvent[],
    state: SdkOrchestratorState,
  ): Promise<EpisodeResult> {
    const numbering = planned.filter((entry) => entry.phase === "numbering");
    const resuming = planned.filter((entry) => entry.phase === "resuming");
    const processed = resuming.slice(0, await this.processedBeforeContinueAsNew(functionName, numbering, resuming));
    const unconsumed = unconsumedEvents(this.earlierExternalEvents, processed, actions);
    const lost = [...resuming.slice(processed.length), ...unconsumed];
    for (const entry of lost) if (entry.messageId !== undefined) this.work.drop(entry.messageId);
    if (lost.length > 0) {
      const names = lost.map((entry) => entry.externalEvent).filter((eventName) => eventName !== undefined);
      this.logger.log(
        "warning",
        `${this.input.instanceId}: ContinueAsNew left ${lost.length} message(s) of its batch unconsumed; they are dropped, as the Durable extension drops them for Node.js apps` +
          (names.length === 0 ? "." : ` (events: ${names.join(", ")}).`),
      );
    }
    const input = jsonText(action.input, false);
    const restart = continueAsNewStart(this.ledger, this.input.instanceId, this.input.executionId, input);
    const applied = [...numbering, ...processed.filter((entry) => !unconsumed.has(entry))];
    return this.finish({
      status: "ContinuedAsNew",
      events: [...applied, ...this.batch.control, ...this.work.scheduling.map((event) => ({ event }))],
      customStatus: customStatusOf(state),
      end: {
        event: {
          EventType: EventType.ContinueAsNew,
          ...(input === undefined ? {} : { Result: input }),
          NewExecutionId: restart.newExecutionId,
          OrchestrationStatus: "ContinuedAsNew",
        },
      },
      outbox: [...this.work.outbox, restart.message],
      ...(input === undefined ? {} : { input }),
      continuedAsNew: { newExecutionId: restart.newExecutionId },
    });
  }

  /**
   * How many of the resuming events the SDK processed before the orchestrator continued as new.
   * Replays run with the whole history marked as replayed (an OrchestratorStarted after it), so that
   * the orchestrator's own logging stays quiet.
   */
  private processedBeforeContinueAsNew(functionName: string, numbering: PlannedEvent[], resuming: PlannedEvent[]): Promise<number> {
    // A running execution can only have continued after at least one resuming event; a new one may have at its start.
    const low = this.batch.start !== undefined ? 0 : Math.min(1, resuming.length);
    return continuingPrefix(low, resuming.length, async (count) => {
      const replay = [...this.opening, ...numbering, ...resuming.slice(0, count), { event: { EventType: EventType.OrchestratorStarted } }];
      const probe = await invokeOrchestrator(this.app, functionName, this.triggerInput(replay), PROBE_REASON);
      return probe.state.actions.flat().some((candidate) => candidate.actionType === ActionType.ContinueAsNew);
    });
  }

  private failed(failure: OrchestrationFailure, planned: PlannedEvent[], state: SdkOrchestratorState | undefined): EpisodeResult {
    const { event, report } = executionFailed(failure);
    return this.finish({
      status: "Failed",
      events: [...planned, ...this.batch.control],
      customStatus: state === undefined ? this.ledger.customStatus : customStatusOf(state),
      end: { event },
      outbox: this.reportToParent(report),
      output: JSON.stringify(failure.reason),
    });
  }

  /** Terminated without running the orchestrator; the other messages of the batch no longer apply. */
  private terminated(message: OrchestrationMessage): EpisodeResult {
    for (const other of this.batch.toApply) this.work.drop(other.id);
    for (const other of this.batch.control) if (other.messageId !== undefined) this.work.drop(other.messageId);
    const output = message.event.Input;
    const reason = output === undefined ? "The orchestration was terminated." : `The orchestration was terminated: ${textOf(output)}`;
    const parent = this.reportToParent({ status: "Failed", reason, details: "" });
    return this.finish({
      status: "Terminated",
      events: [],
      customStatus: this.ledger.customStatus,
      end: { event: { ...message.event, ...(output === undefined ? {} : { Result: output }), OrchestrationStatus: "Terminated" }, messageId: message.id },
      outbox: parent,
      ...(output === undefined ? {} : { output }),
    });
  }

  private reportToParent(outcome: Parameters<typeof parentReport>[2]): OutgoingMessage[] {
    const parent = this.ledger.parent;
    if (parent === undefined) return [];
    return [parentReport(parent, { instanceId: this.input.instanceId, executionId: this.input.executionId }, outcome)];
  }

  private openStatus(): RuntimeStatus {
    return this.ledger.suspended ? "Suspended" : "Running";
  }

  /** The trigger input for a run that sees these events after the history. */
  private triggerInput(events: readonly RecordedEvent[]): unknown {
    return orchestrationTrigger({
      instanceId: this.input.instanceId,
      parentInstanceId: this.ledger.parent?.instanceId,
      input: this.ledger.input,
      history: this.input.history,
      newEvents: events.map((recorded) => ({ ...recorded.event, EventId: -1, IsPlayed: false, Timestamp: this.now.toISOString() })),
    });
  }

  /** Nothing applies (duplicates, deferrals only): no events, the instance as it was. */
  private unchanged(): EpisodeResult {
    const end = this.ledger.end;
    return {
      newEvents: [],
      outbox: [],
      instance: this.instance(
        end?.status ?? this.openStatus(),
        this.ledger.customStatus,
        end?.output,
        undefined,
        end !== undefined && isFinished(end.status) ? end.at : undefined,
      ),
      droppedMessageIds: this.work.dropped,
      deferredMessageIds: this.batch.deferred,
    };
  }

  private finish(ending: Ending): EpisodeResult {
    const timestamp = this.now.toISOString();
    const closing: RecordedEvent[] = [
      { event: { EventType: EventType.OrchestratorCompleted, ...(ending.customStatus === undefined ? {} : { CustomStatus: ending.customStatus }) } },
      ...(ending.end === undefined ? [] : [ending.end]),
    ];
    const newEvents = [...this.opening, ...ending.events, ...closing].map((recorded, index) => ({
      event: { ...recorded.event, EventId: this.input.history.length + index, IsPlayed: false, Timestamp: timestamp },
      ...(recorded.messageId === undefined ? {} : { messageId: recorded.messageId }),
    }));
    return {
      newEvents,
      outbox: ending.outbox,
      instance: this.instance(ending.status, ending.customStatus, ending.output, ending.input, isFinished(ending.status) ? timestamp : undefined),
      ...(ending.continuedAsNew === undefined ? {} : { continuedAsNew: ending.continuedAsNew }),
      droppedMessageIds: this.work.dropped,
      deferredMessageIds: this.batch.deferred,
    };
  }

  private instance(
    runtimeStatus: RuntimeStatus,
    customStatus: string | undefined,
    output: string | undefined,
    input: string | undefined,
    completedTime: string | undefined,
  ): EpisodeResult["instance"] {
    const executionInput = input ?? this.ledger.input;
    const parentInstanceId = this.ledger.parent?.instanceId;
    return {
      name: this.ledger.name ?? "",
      runtimeStatus,
      ...(executionInput === undefined ? {} : { input: executionInput }),
      ...(output === undefined ? {} : { output }),
      ...(customStatus === undefined ? {} : { customStatus }),
      ...(parentInstanceId === undefined ? {} : { parentInstanceId }),
      ...(completedTime === undefined ? {} : { completedTime }),
    };
  }
}

/** The SDK leaves out a falsy custom status (and so does the extension). */
function customStatusOf(state: SdkOrchestratorState): string | undefined {
  return state.customStatus === undefined || state.customStatus === null ? undefined : JSON.stringify(state.customStatus);
}

/** A reason given as JSON text, as plain text for a message. */
function textOf(json: string): string {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "string" ? value : json;
  } catch {
    return json;
  }
}
