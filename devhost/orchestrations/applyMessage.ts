import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { EpisodeWork } from "./EpisodeWork.js";
import { EventType } from "../protocol/historyEvents.js";
import { httpPolling } from "./httpPolling.js";
import { longTimer } from "./longTimer.js";
import type { OrchestrationMessage } from "../protocol/messages.js";
import type { PlannedEvent } from "./PlannedEvent.js";
import { retry } from "./retry.js";
import { schedule } from "./schedule.js";
import type { Slot } from "./Slot.js";

/**
 * Plans one message of the batch: the event it adds, in which phase (see PlannedEvent), and the
 * numbers the SDK will take on its own when it processes the event. Replies for a task that is
 * unknown or already completed (redeliveries, a duplicate entity answer) are dropped.
 */
export function applyMessage(work: EpisodeWork, message: OrchestrationMessage, arrival: number): void {
  const event = message.event;
  const fromMessage = { event, messageId: message.id, arrival };
  const { ledger } = work;
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed: {
      const isTask = event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed;
      const kinds: Slot["kind"][] = isTask ? ["activity", "http"] : ["subOrchestration"];
      const slot = ledger.openSlot(event.TaskScheduledId, kinds);
      if (slot === undefined) return work.drop(message.id);
      const options = ledger.retryOptions(slot);
      const failed = event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
      if (failed && options !== undefined) {
        work.plan({ ...fromMessage, phase: "numbering" });
        return retry.afterFailure(work, slot, event, options, arrival);
      }
      const first = ledger.head(slot);
      const poll = slot.kind === "http" && !failed ? httpPolling.pollFor(requestOf(first), event.Result) : undefined;
      work.plan({ ...fromMessage, phase: poll === undefined ? "resuming" : "numbering" });
      if (poll !== undefined) httpPolling.start(work, first, requestOf(first), poll);
      return;
    }
    case EventType.TimerFired: {
      const slot = ledger.openSlot(event.TimerId, ["timer"]);
      if (slot === undefined) return work.drop(message.id);
      return timerFired(work, slot, fromMessage);
    }
    case EventType.EventRaised: {
      const name = event.Name ?? "";
      if (ledger.answered.has(name)) return work.drop(message.id);
      const external = !ledger.requestIds.has(name);
      return work.plan({ ...fromMessage, phase: "resuming", ...(external ? { externalEvent: name } : {}) });
    }
    default:
      return work.drop(message.id);
  }
}

function timerFired(work: EpisodeWork, slot: Slot, fromMessage: Omit<PlannedEvent, "phase">): void {
  const { ledger } = work;
  const options = ledger.retryOptions(slot);
  if (options !== undefined) {
    const retried = retry.afterTimer(work, slot, options);
    return work.plan({ ...fromMessage, phase: retried ? "numbering" : "resuming" });
  }
  // A timer of a chain (a long timer, a poll's wait): the SDK takes the next timer's number while
  // the chain's end is still ahead of its current time. Later timers of a chain name its first as
  // their group; a poll's first timer names the HTTP call's first request.
  const first = slot.origin === "subTimer" ? ledger.head(slot) : slot;
  const finalFireAt = typeof first.event.FinalFireAt === "string" ? new Date(first.event.FinalFireAt) : undefined;
  if (finalFireAt !== undefined && finalFireAt > work.now) {
    work.plan({ ...fromMessage, phase: "numbering" });
    schedule.timer(work, work.takeSequence(), longTimer.nextFireAt(finalFireAt, work.now), { origin: "subTimer", group: first.sequence });
    return;
  }
  if (first.origin === "pollTimer") {
    work.plan({ ...fromMessage, phase: "numbering" });
    httpPolling.resume(work, first);
    return;
  }
  work.plan({ ...fromMessage, phase: "resuming" });
}

function requestOf(slot: Slot): DurableHttpRequest {
  return JSON.parse(slot.event.Input ?? "{}") as DurableHttpRequest;
}
