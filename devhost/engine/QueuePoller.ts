/**
 * Polls a queue: at once again while it yields messages, backing off (doubling up to a ceiling)
 * while it is empty, and at once when woken (the host itself sent something to it).
 */
export class QueuePoller {
  private stopped = true;
  private delayMs = 0;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** When the latest poll that found the queue empty (and was not woken meanwhile) started; for idle detection. */
  lastEmptyPollStartedAt = 0;
  /** Counts wake() calls, so that a poll can tell whether it was woken while it ran. */
  private wakes = 0;

  constructor(
    private readonly pollOnce: () => Promise<boolean>,
    private readonly maxDelayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  wake(): void {
    this.delayMs = 0;
    this.wakes += 1;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const wakesBefore = this.wakes;
      const startedAt = Date.now();
      let found = false;
      let failed = false;
      try {
        found = await this.pollOnce();
      } catch (error) {
        failed = true;
        this.onError(error);
      }
      const woken = this.wakes !== wakesBefore;
      // A failed poll saw nothing, which is not the same as seeing an empty queue.
      if (!found && !woken && !failed) this.lastEmptyPollStartedAt = startedAt;
      if (found || woken) this.delayMs = 0;
      else this.delayMs = Math.min(Math.max(this.delayMs * 2, 20), this.maxDelayMs);
      // stop() may have come during the poll; a getter, since the loop condition's narrowing would hide that.
      if (this.delayMs > 0 && this.active) await this.sleep(this.delayMs);
    }
  }

  private get active(): boolean {
    return !this.stopped;
  }

  private sleep(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, milliseconds);
      const wakeUp = (): void => done();
      this.wakeUp = wakeUp;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => (this.wakeUp = undefined));
  }
}
