import { EventType } from "../protocol/historyEvents.js";
import type { OrchestrationMessage } from "../protocol/messages.js";
import type { OrchestrationLedger } from "./OrchestrationLedger.js";
import type { RecordedEvent } from "./RecordedEvent.js";

interface SortedBatch {
  start: OrchestrationMessage | undefined;
  terminate: OrchestrationMessage | undefined;
  /** Suspend and resume requests, as events (the SDK ignores them). */
  control: RecordedEvent[];
  toApply: OrchestrationMessage[];
  deferred: string[];
  dropped: string[];
}

/**
 * Sorts an episode's batch: a new execution's start; a termination (the rest of the batch then no
 * longer applies); suspend and resume requests; and the events to apply, or to defer while the
 * instance is suspended. Repeated starts, repeated suspends or resumes, and anything for an execution
 * that has ended are dropped.
 */
export function sortBatch(ledger: OrchestrationLedger, messages: readonly OrchestrationMessage[]): SortedBatch {
  const start = ledger.started ? undefined : messages.find((message) => message.event.EventType === EventType.ExecutionStarted);
  const sorted: SortedBatch = { start, terminate: undefined, control: [], toApply: [], deferred: [], dropped: [] };
  let suspended = ledger.suspended;
  for (const message of messages) {
    if (message === start) continue;
    const type = message.event.EventType;
    const applicable = (ledger.started || start !== undefined) && ledger.end === undefined && sorted.terminate === undefined;
    if (!applicable || type === EventType.ExecutionStarted) sorted.dropped.push(message.id);
    else if (type === EventType.ExecutionTerminated) sorted.terminate = message;
    else if (type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed) {
      const suspend = type === EventType.ExecutionSuspended;
      if (suspend === suspended) sorted.dropped.push(message.id);
      else {
        suspended = suspend;
        sorted.control.push({ event: message.event, messageId: message.id });
      }
    } else if (suspended) sorted.deferred.push(message.id);
    else sorted.toApply.push(message);
  }
  return sorted;
}
