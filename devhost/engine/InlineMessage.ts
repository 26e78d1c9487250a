import type { ControlMessage } from "../protocol/messages.js";
import type { HeldMessage } from "./HeldMessage.js";

/**
 * A message the engine hands itself without a queue in between: the start of the execution that a
 * ContinueAsNew just committed. The same message is also sent through the queue (so a crash cannot
 * lose it); that copy arrives later as a duplicate and is dropped.
 */
export class InlineMessage<T extends ControlMessage> implements HeldMessage<T> {
  constructor(readonly message: T) {}
  renew(): Promise<void> {
    return Promise.resolve();
  }
  complete(): Promise<void> {
    return Promise.resolve();
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}
