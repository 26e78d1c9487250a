import type { ControlMessage, WorkItemMessage } from "../protocol/messages.js";

/** A message the engine is working on, and what it does with it when done. */
export interface HeldMessage<T extends ControlMessage | WorkItemMessage> {
  readonly message: T;
  renew(leaseSeconds: number): Promise<void>;
  /** Done with it: removes it from its queue. */
  complete(): Promise<void>;
  /** Gives it back to its queue, to be taken again after the delay. */
  release(delaySeconds?: number): Promise<void>;
}

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
