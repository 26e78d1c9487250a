import { EventType } from "../protocol/historyEvents.js";
import type { OrchestrationMessage } from "../protocol/messages.js";
import { isFinished, type RuntimeStatus } from "../protocol/runtimeStatus.js";
import type { Checkpoint } from "../storage/records.js";
import type { HeldMessage } from "./HeldMessage.js";

/**
 * What an episode does with each new message, given the instance's last checkpoint: a start of a
 * new execution is taken only when the instance has none running (finished, continued as new, or
 * never started); replies for another execution and second starts are dropped; events for an
 * instance that has not started yet wait (they may have overtaken its start); events for a
 * finished instance are dropped, as the extension answers them with 410.
 */
export interface EpisodePlan<Held extends HeldMessage<OrchestrationMessage>> {
  /** Messages this episode applies, in order (a start first). */
  take: Held[];
  /** Messages that will never apply (stale replies, duplicate starts, events for a finished instance). */
  drop: Held[];
  /** Messages that may apply later (events that arrived before the instance started). */
  defer: Held[];
  /** Set when this episode starts a new execution. */
  newExecutionId?: string;
}

export function planEpisode<Held extends HeldMessage<OrchestrationMessage>>(
  checkpoint: Checkpoint | undefined,
  fresh: readonly Held[],
): EpisodePlan<Held> {
  const plan: EpisodePlan<Held> = { take: [], drop: [], defer: [] };
  const status: RuntimeStatus | undefined = checkpoint?.instance.runtimeStatus;
  const canStartNew = checkpoint === undefined || isFinished(status ?? "Completed") || status === "ContinuedAsNew";

  const start = canStartNew
    ? fresh.find((held) => held.message.event.EventType === EventType.ExecutionStarted && held.message.newExecutionId !== checkpoint?.executionId)
    : undefined;
  const executionId = start?.message.newExecutionId ?? checkpoint?.executionId;
  if (start !== undefined) {
    plan.newExecutionId = start.message.newExecutionId;
    plan.take.push(start);
  }
  const acceptsEvents = start !== undefined || (checkpoint !== undefined && !canStartNew);

  for (const held of fresh) {
    if (held === start) continue;
    const message = held.message;
    if (message.event.EventType === EventType.ExecutionStarted) plan.drop.push(held);
    else if (message.executionId !== undefined && message.executionId !== executionId) plan.drop.push(held);
    else if (acceptsEvents) plan.take.push(held);
    else if (checkpoint === undefined || status === "ContinuedAsNew") plan.defer.push(held);
    else plan.drop.push(held);
  }
  return plan;
}

