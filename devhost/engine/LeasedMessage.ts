import type { ControlMessage, WorkItemMessage } from "../protocol/messages.js";
import type { ReceivedMessage } from "../storage/records.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import type { HeldMessage } from "./HeldMessage.js";

/**
 * A message the host holds: its lease is renewed while the host works on it, and the latest pop
 * receipt is kept here so that the final delete uses it. If the host dies, the lease runs out and
 * the queue delivers the message again; the receivers' de-duplication makes that harmless.
 */
export class LeasedMessage<T extends ControlMessage | WorkItemMessage> implements HeldMessage<T> {
  private settled = false;
  /**
   * The queue operations on this message, one after the other: a renewal changes the pop receipt,
   * so a delete that overlapped it would use the old one, fail, and let the message come back.
   */
  private operations: Promise<void> = Promise.resolve();

  constructor(
    private received: ReceivedMessage<T>,
    private readonly storage: TaskHubStorage,
  ) {}

  get message(): T {
    return this.received.message;
  }

  /** The queue's own id for this copy (a redelivery of the same copy has the same one). */
  get queueMessageId(): string {
    return this.received.messageId;
  }

  /** Replaces the copy after the queue delivered it again while it was still held (its old receipt is void). */
  redelivered(received: ReceivedMessage<T>): void {
    this.received = received;
  }

  renew(leaseSeconds: number): Promise<void> {
    return this.serially(async () => {
      if (this.settled) return;
      try {
        this.received = await this.storage.renewLease(this.received, leaseSeconds);
      } catch {
        // Lost the lease (it ran out, or another copy was taken): the redelivery is de-duplicated.
      }
    });
  }

  /** Done with it: removes it from the queue. */
  complete(): Promise<void> {
    return this.settle(async () => {
      try {
        await this.storage.deleteMessage(this.received);
      } catch {
        // A stale receipt: the message comes back once and is recognised as already applied.
      }
    });
  }

  /** Gives it back to the queue, visible again after the delay (at shutdown, or after a failure). */
  release(delaySeconds = 0): Promise<void> {
    return this.settle(async () => {
      try {
        await this.storage.renewLease(this.received, delaySeconds);
      } catch {
        // Its lease runs out on its own.
      }
    });
  }

  private settle(operation: () => Promise<void>): Promise<void> {
    if (this.settled) return this.operations;
    this.settled = true;
    return this.serially(operation);
  }

  private serially(operation: () => Promise<void>): Promise<void> {
    this.operations = this.operations.then(operation);
    return this.operations;
  }
}
