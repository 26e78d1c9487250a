import type { NewHistoryEvent } from "../protocol/historyEvents.js";

/** A new event of an episode with the id of the message that brought it, if one did. */
export interface RecordedEvent {
  event: NewHistoryEvent;
  messageId?: string;
}
