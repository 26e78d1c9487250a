import type { NewHistoryEvent } from "../protocol/historyEvents.js";

/** A new event of an episode, with the id of the message that brought it. */
export interface RecordedEvent {
  event: NewHistoryEvent;
  /** Absent for events the host adds itself. */
  messageId?: string;
}
