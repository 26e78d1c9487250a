import type { EpisodeWork } from "./EpisodeWork.js";
import { EventType, type NewHistoryEvent } from "../protocol/historyEvents.js";
import { retryDelay } from "./retryDelay.js";
import { schedule } from "./schedule.js";
import type { SdkRetryOptions } from "../protocol/SdkRetryOptions.js";
import type { Slot } from "./Slot.js";

/**
 * callActivityWithRetry and callSubOrchestratorWithRetry. The SDK's RetryableTask takes a number for
 * a timer after every failed attempt (the last one included, as the framework's RetryInterceptor
 * waits before giving up too) and, once that timer fires, a number for the next attempt, unless
 * maxNumberOfAttempts attempts have failed: then the task fails with the last error. The SDK leaves
 * the delays to the host, which computes them as the framework does.
 */
export const retry = {
  /** After an attempt failed (its failure is already planned): the timer before the next attempt. */
  afterFailure(work: EpisodeWork, failedAttempt: Slot, failure: NewHistoryEvent, options: SdkRetryOptions, arrival: number): void {
    const head = work.ledger.head(failedAttempt);
    const attempts = work.ledger.attempts(head.sequence);
    const delay = retryDelay(options, attempts - 1, head.scheduledAt, work.now);
    const timer = work.takeSequence();
    if (delay !== undefined) {
      schedule.timer(work, timer, new Date(work.now.getTime() + delay), { origin: "retryTimer", group: head.sequence });
    } else {
      giveUp(work, head, failure, timer, attempts, maxAttempts(options), arrival);
    }
  },

  /** After a retry timer fired: the next attempt, or false when the attempts are used up and the task fails. */
  afterTimer(work: EpisodeWork, timer: Slot, options: SdkRetryOptions): boolean {
    const head = work.ledger.head(timer);
    if (work.ledger.attempts(head.sequence) >= maxAttempts(options)) return false;
    scheduleAttempt(work, head, work.takeSequence(), false);
    return true;
  },
};

/** The SDK always runs the first attempt, whatever maxNumberOfAttempts says. */
const maxAttempts = (options: SdkRetryOptions): number => Math.max(1, options.maxNumberOfAttempts);

/**
 * The retry timeout has passed: the framework stops retrying at once, but the SDK's RetryableTask
 * only fails after its remaining attempts have failed, each after a timer. The host lets it see
 * exactly that, straight away and without running anything: for every attempt left, the timer fires
 * and the attempt fails with the same error. Only the last timer's firing resumes the orchestrator;
 * everything before it goes in the numbering phase, among the episode's new events.
 */
function giveUp(work: EpisodeWork, head: Slot, failure: NewHistoryEvent, firstTimer: number, attempts: number, max: number, arrival: number): void {
  const inline = { arrival };
  const skippedTimer = { origin: "retryTimer", group: head.sequence, synthetic: true } as const;
  let timer = firstTimer;
  schedule.timer(work, timer, work.now, skippedTimer, inline);
  for (let attempt = attempts; attempt < max; attempt++) {
    work.plan({ event: skippedTimerFired(timer), phase: "numbering", arrival });
    const skippedAttempt = work.takeSequence();
    scheduleAttempt(work, head, skippedAttempt, true, inline);
    work.plan({ event: { ...failure, TaskScheduledId: skippedAttempt, Synthetic: "retryTimeout" }, phase: "numbering", arrival });
    timer = work.takeSequence();
    schedule.timer(work, timer, work.now, skippedTimer, inline);
  }
  work.plan({ event: skippedTimerFired(timer), phase: "resuming", arrival });
}

function skippedTimerFired(timer: number): NewHistoryEvent {
  return { EventType: EventType.TimerFired, TimerId: timer, Synthetic: "retryTimeout" };
}

function scheduleAttempt(work: EpisodeWork, head: Slot, sequence: number, synthetic: boolean, inline?: { arrival: number }): void {
  const meta = { origin: "retryAttempt", group: head.sequence, ...(synthetic ? { synthetic } : {}) } as const;
  const { Name: name = "", Input: input, Version: version, InstanceId: firstInstanceId } = head.event;
  if (head.kind === "subOrchestration") {
    // A generated child id is per attempt (the framework derives it from the attempt's number); an id
    // the orchestrator chose is reused, so each attempt restarts that instance.
    const generated = `${work.executionId}:${head.sequence}`;
    const instanceId = firstInstanceId === undefined || firstInstanceId === generated ? `${work.executionId}:${sequence}` : firstInstanceId;
    schedule.subOrchestration(work, sequence, { name, instanceId, input, version }, meta, inline);
  } else {
    schedule.activity(work, sequence, name, input, meta, inline);
  }
}
