/** How many instances' last outboxes are remembered as sent; an instance forgotten is sent again once. */
const REMEMBERED_INSTANCES = 100_000;

/**
 * Which instances' last committed outbox this process has sent. The first time the process touches
 * an instance (after a start, which may follow a crash between a commit and its sends), it cannot
 * know whether that outbox went out, so it sends it again before anything else; every receiver
 * de-duplicates. Afterwards a redelivered message costs nothing, and the outbox is never resent.
 */
export class SentOutboxes {
  private readonly sent = new Map<string, string>();

  has(instanceId: string, version: string): boolean {
    return this.sent.get(instanceId) === version;
  }

  remember(instanceId: string, version: string): void {
    // Re-inserting moves the instance to the newest end, so the oldest is the one forgotten.
    this.sent.delete(instanceId);
    this.sent.set(instanceId, version);
    if (this.sent.size > REMEMBERED_INSTANCES) {
      const oldest = this.sent.keys().next();
      if (oldest.done !== true) this.sent.delete(oldest.value);
    }
  }
}
