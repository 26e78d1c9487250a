import type { NewHistoryEvent } from "../protocol/historyEvents.js";

/**
 * A new event of an episode, before the episode's events are put in order. Phase 1 holds the events
 * that let the SDK number tasks on its own (a failed retry attempt, a timer of a chain firing, a
 * 202 from a polled request) and never resume the orchestrator; phase 2 holds the rest. The SDK
 * sees phase 1 first, so its own numbers are all handed out before the orchestrator's code runs and
 * numbers what it yields: that is what lets the host know every number without guessing the SDK's
 * interleaving. Within a phase, events keep their arrival order.
 */
export interface PlannedEvent {
  event: NewHistoryEvent;
  /** The message that brought it (absent for events the host adds itself). */
  messageId?: string;
  phase: 1 | 2;
  /** The position of the message it stems from in the batch. */
  arrival: number;
  /** For an external event: its name (ContinueAsNew drops the ones nobody waited for). */
  externalEvent?: string;
}
