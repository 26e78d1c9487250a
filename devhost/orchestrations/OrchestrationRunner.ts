import type { HostLogger } from "../app/HostLogger.js";
import type { StoredHistoryEvent } from "../storage/records.js";
import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import type { HistoryEvent } from "../protocol/historyEvents.js";
import type { OrchestrationMessage, OutgoingMessage } from "../protocol/messages.js";
import { OrchestrationEpisode } from "./OrchestrationEpisode.js";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";

export interface EpisodeInput {
  instanceId: string;
  /** The current execution (for a new one: the ExecutionStarted message's newExecutionId). */
  executionId: string;
  /** Committed events of this execution, EventId 0..n-1 (empty for a new execution). */
  history: HistoryEvent[];
  /** This episode's batch, de-duplicated, filtered to this execution, in arrival order. */
  messages: OrchestrationMessage[];
  /** The host clock (virtual under time skipping). */
  now: Date;
}

export interface EpisodeResult {
  /** To append (EventIds continue the history's), each with the id of the message that brought it, if any. */
  newEvents: StoredHistoryEvent[];
  /** Sent after the commit. */
  outbox: OutgoingMessage[];
  instance: {
    name: string;
    runtimeStatus: RuntimeStatus;
    input?: string;
    output?: string;
    customStatus?: string;
    parentInstanceId?: string;
    completedTime?: string;
  };
  /** The ExecutionStarted of the new execution is in the outbox (to "control", to the instance itself). */
  continuedAsNew?: { newExecutionId: string };
  /** Messages taken but not applied (duplicates, events a ContinueAsNew left unconsumed). */
  droppedMessageIds: string[];
  /** Messages to hand back later (events for a suspended instance). */
  deferredMessageIds: string[];
}

/**
 * Runs orchestration episodes through durable-functions' own replay, the way the Durable extension
 * drives a Node.js orchestrator: the history plus the episode's new events go in, the SDK's actions
 * come out and become new history events and messages. Pure logic: the engine that calls it owns
 * storage, queues, de-duplication and locking.
 */
export class OrchestrationRunner {
  constructor(
    private readonly app: FunctionInvoker,
    private readonly logger: HostLogger,
  ) {}

  runEpisode(input: EpisodeInput): Promise<EpisodeResult> {
    return new OrchestrationEpisode(this.app, this.logger, input).run();
  }
}
