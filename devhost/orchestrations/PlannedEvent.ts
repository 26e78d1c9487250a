import type { RecordedEvent } from "./RecordedEvent.js";

/**
 * A new event of an episode, before the episode's events are put in order. Its phase says whether
 * it can resume the orchestrator's code:
 * - "numbering": events that only make the SDK take sequence numbers on its own (a failed retry
 *   attempt, a timer of a chain firing, a 202 from a polled request) and never resume user code;
 * - "resuming": everything else.
 * The SDK sees the numbering events first, so it takes all of its own numbers before the
 * orchestrator's code runs and numbers what it yields. That way the host knows every number
 * without guessing how the SDK interleaves them. Within a phase, events keep their arrival order.
 */
export interface PlannedEvent extends RecordedEvent {
  phase: "numbering" | "resuming";
  /** The position in the batch of the message it comes from. */
  arrival: number;
  /** For an external event: its name (ContinueAsNew drops the ones nobody waited for). */
  externalEvent?: string;
}
