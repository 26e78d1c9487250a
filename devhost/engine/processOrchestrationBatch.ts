import type { OrchestrationMessage } from "../protocol/messages.js";
import type { EpisodeResult } from "../orchestrations/OrchestrationRunner.js";
import type { Checkpoint, InstanceRecord, OrchestrationState, StoredHistoryEvent } from "../storage/records.js";
import type { EngineParts } from "./EngineParts.js";
import type { HeldMessage } from "./HeldMessage.js";
import { planEpisode } from "./planEpisode.js";
import { sendOutbox } from "./sendOutbox.js";

type Held = HeldMessage<OrchestrationMessage>;

/** How long a message that cannot be applied yet (an event for an instance not started yet) waits before it is looked at again. */
const DEFER_SECONDS = 1;

/** The most message ids a new execution carries over from the execution before. */
const CARRIED_MESSAGE_IDS = 2000;

/**
 * One episode of one orchestration instance, crash-safe:
 *
 * 1. read the history and its checkpoint; drop messages the history already holds (redeliveries,
 *    and second copies within the batch) and replies meant for another execution;
 * 2. run the orchestrator over the history plus the new messages;
 * 3. commit the new events with a checkpoint that records what to send (the commit point);
 * 4. send that, update the instance row, and only then delete the messages.
 *
 * A crash before 3 redelivers the messages and the episode runs again from the same history. A
 * crash after 3 may have cut the sending short: the first time this process touches the instance
 * it sends the checkpoint's outbox again (see SentOutboxes; receivers de-duplicate by message id).
 *
 * Returns the start of the next execution when the episode continued as new, so that the caller
 * can run it at once instead of waiting for its copy to come through the queue.
 */
export async function processOrchestrationBatch(
  parts: EngineParts,
  instanceId: string,
  batch: readonly Held[],
): Promise<OrchestrationMessage | undefined> {
  const { storage, clock } = parts;
  const state = parts.committedHistories.take(instanceId) ?? (await storage.readOrchestration(instanceId));
  const checkpoint = state.checkpoint;
  if (checkpoint !== undefined) await finishLastCommit(parts, instanceId, checkpoint);
  const applied = appliedMessageIds(state, checkpoint);

  const fresh: Held[] = [];
  const done: Held[] = [];
  for (const held of batch) {
    if (applied.has(held.message.id)) done.push(held);
    else {
      applied.add(held.message.id);
      fresh.push(held);
    }
  }

  const plan = planEpisode(checkpoint, fresh);
  for (const held of plan.drop) done.push(held);
  await Promise.all(plan.defer.map((held) => defer(parts, held)));

  if (plan.take.length === 0) {
    // Nothing committed: the state read is still the instance's.
    if (checkpoint !== undefined) parts.committedHistories.remember(instanceId, state);
    await Promise.all(done.map((held) => held.complete()));
    return undefined;
  }

  const now = clock.now();
  const history = plan.newExecutionId === undefined ? state.events.map((stored) => stored.event) : [];
  const executionId = plan.newExecutionId ?? checkpoint?.executionId;
  if (executionId === undefined) throw new Error(`Instance '${instanceId}' has neither a checkpoint nor a start.`);

  const result = await parts.orchestrations.runEpisode({
    instanceId,
    executionId,
    history,
    messages: plan.take.map((held) => held.message),
    now,
  });

  const createdTime =
    plan.newExecutionId === undefined
      ? (checkpoint?.instance.createdTime ?? now.toISOString())
      : await createdTimeOfNewExecution(parts, instanceId, plan.newExecutionId, checkpoint, now);
  const instance = instanceRecord(instanceId, executionId, result, createdTime, now);
  const nextCheckpoint: Checkpoint = {
    executionId,
    eventCount: history.length + result.newEvents.length,
    ...carriedMessageIds(parts, plan.newExecutionId === undefined ? checkpoint : undefined, state, result.droppedMessageIds),
    outbox: result.outbox,
    instance,
  };
  await storage.commitEpisode(instanceId, result.newEvents, nextCheckpoint);
  parts.committedHistories.remember(instanceId, committedState(plan.newExecutionId === undefined ? state.events : [], result.newEvents, nextCheckpoint));
  await sendOutbox(storage, result.outbox);
  await storage.putInstance(instance);
  parts.sentOutboxes.remember(instanceId, versionOf(nextCheckpoint));

  const deferred = new Set(result.deferredMessageIds);
  await Promise.all(
    plan.take.map((held) => (deferred.has(held.message.id) ? defer(parts, held) : held.complete())),
  );
  await Promise.all(done.map((held) => held.complete()));
  if (plan.newExecutionId !== undefined && checkpoint !== undefined) {
    // The execution before is over for good: its rows only cost space (and an eternal
    // orchestration would otherwise grow its history table without bound).
    await storage.deleteOtherExecutions(instanceId, executionId).catch(() => undefined);
  }
  return result.continuedAsNew === undefined ? undefined : startOf(result.continuedAsNew.newExecutionId, result);
}

/**
 * What a read of the history table would now return: the execution's events (a new execution's
 * alone) and the checkpoint, as JSON data. Only the new events and the checkpoint go through JSON,
 * which is what storing them did anyway; the earlier events came from a read or from such a copy.
 */
function committedState(earlier: readonly StoredHistoryEvent[], newEvents: readonly StoredHistoryEvent[], checkpoint: Checkpoint): OrchestrationState {
  const added = JSON.parse(JSON.stringify(newEvents)) as StoredHistoryEvent[];
  return { checkpoint: JSON.parse(JSON.stringify(checkpoint)) as Checkpoint, events: [...earlier, ...added] };
}

/** The start of the execution a ContinueAsNew created, from the outbox that sends it. */
function startOf(newExecutionId: string, result: EpisodeResult): OrchestrationMessage | undefined {
  for (const outgoing of result.outbox) {
    if (outgoing.to === "control" && outgoing.message.kind === "orchestration" && outgoing.message.newExecutionId === newExecutionId) {
      return outgoing.message;
    }
  }
  return undefined;
}

/**
 * Sends the last commit's outbox and writes its instance row again, unless this process did so
 * itself: a crash may have come between that commit and its sends. The row is written only while it
 * still belongs to that execution (a client may have started the instance anew since).
 */
async function finishLastCommit(parts: EngineParts, instanceId: string, checkpoint: Checkpoint): Promise<void> {
  const version = versionOf(checkpoint);
  if (parts.sentOutboxes.has(instanceId, version)) return;
  await sendOutbox(parts.storage, checkpoint.outbox);
  const row = await parts.storage.getInstance(instanceId);
  if (row === undefined || row.executionId === checkpoint.executionId) await parts.storage.putInstance(checkpoint.instance);
  parts.sentOutboxes.remember(instanceId, version);
}

const versionOf = (checkpoint: Checkpoint): string => `${checkpoint.executionId}|${checkpoint.eventCount}`;

function appliedMessageIds(state: OrchestrationState, checkpoint: Checkpoint | undefined): Set<string> {
  const ids = new Set(checkpoint?.carriedMessageIds ?? []);
  for (const stored of state.events) if (stored.messageId !== undefined) ids.add(stored.messageId);
  return ids;
}

/**
 * The ids a checkpoint keeps of messages that are not in its history: those a ContinueAsNew dropped,
 * and, for a while after a new execution starts, those the execution before applied. A redelivery of
 * one of those can only come within a few leases of the start (the messages are deleted right after
 * it), so they are kept that long and then no longer rewritten with every checkpoint.
 */
function carriedMessageIds(
  parts: EngineParts,
  sameExecution: Checkpoint | undefined,
  state: OrchestrationState,
  dropped: readonly string[],
): Pick<Checkpoint, "carriedMessageIds" | "carriedMessageIdsUntil"> {
  if (sameExecution === undefined) {
    const fromBefore = [
      ...(state.checkpoint?.carriedMessageIds ?? []),
      ...state.events.flatMap((stored) => (stored.messageId === undefined ? [] : [stored.messageId])),
    ];
    const until = Date.now() + 3 * parts.leaseSeconds * 1000;
    return { carriedMessageIds: [...fromBefore, ...dropped].slice(-CARRIED_MESSAGE_IDS), carriedMessageIdsUntil: until };
  }
  const until = sameExecution.carriedMessageIdsUntil;
  const stillCarried = until !== undefined && Date.now() < until ? sameExecution.carriedMessageIds : [];
  return {
    carriedMessageIds: [...stillCarried, ...dropped].slice(-CARRIED_MESSAGE_IDS),
    ...(until === undefined || stillCarried.length === 0 ? {} : { carriedMessageIdsUntil: until }),
  };
}

async function createdTimeOfNewExecution(
  parts: EngineParts,
  instanceId: string,
  executionId: string,
  checkpoint: Checkpoint | undefined,
  now: Date,
): Promise<string> {
  // The start a ContinueAsNew sent (its execution id is derived, no client start can have chosen it):
  // the instance keeps its time, and its row need not be read.
  if (checkpoint?.instance.runtimeStatus === "ContinuedAsNew" && startsExecution(checkpoint, executionId)) return checkpoint.instance.createdTime;
  // A client start wrote the row (Pending) with this execution; a ContinueAsNew keeps the instance's time.
  const row = await parts.storage.getInstance(instanceId);
  if (row?.executionId === executionId) return row.createdTime;
  if (checkpoint?.instance.runtimeStatus === "ContinuedAsNew") return checkpoint.instance.createdTime;
  return now.toISOString();
}

const startsExecution = (checkpoint: Checkpoint, executionId: string): boolean =>
  checkpoint.outbox.some((outgoing) => outgoing.to === "control" && outgoing.message.kind === "orchestration" && outgoing.message.newExecutionId === executionId);

function instanceRecord(
  instanceId: string,
  executionId: string,
  result: EpisodeResult,
  createdTime: string,
  now: Date,
): InstanceRecord {
  const { name, runtimeStatus, input, output, customStatus, parentInstanceId, completedTime } = result.instance;
  return {
    instanceId,
    name,
    executionId,
    runtimeStatus,
    createdTime,
    lastUpdatedTime: now.toISOString(),
    ...(input === undefined ? {} : { input }),
    ...(output === undefined ? {} : { output }),
    ...(customStatus === undefined ? {} : { customStatus }),
    ...(parentInstanceId === undefined ? {} : { parentInstanceId }),
    ...(completedTime === undefined ? {} : { completedTime }),
  };
}

/** Puts a message back for later: a delayed copy (same id) replaces it, so the wait costs no lease. */
async function defer(parts: EngineParts, held: Held): Promise<void> {
  parts.hiddenMessages.hide(DEFER_SECONDS);
  await parts.storage.sendControl(held.message, DEFER_SECONDS);
  await held.complete();
}

