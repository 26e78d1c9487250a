/**
 * Remembers until when a message the engine put back with a delay (deferred, or released after a
 * failure) stays invisible in its queue. A queue that looks empty meanwhile is not idle, which
 * matters to time skipping: the clock must not jump while such a message is on its way back.
 */
export class HiddenMessages {
  private hiddenUntil = 0;

  hide(delaySeconds: number): void {
    this.hiddenUntil = Math.max(this.hiddenUntil, Date.now() + delaySeconds * 1000);
  }

  get any(): boolean {
    return Date.now() < this.hiddenUntil;
  }
}
