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
