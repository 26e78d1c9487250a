/**
 * Shares reads of one key among concurrent callers without handing anyone a stale answer. Every
 * caller gets the result of a read that started after it asked: a caller that finds a read
 * running waits for the next one, and every caller arriving meanwhile shares that next one. So a
 * key has at most one read running and one waiting, however many callers poll it.
 *
 * Why: each request to the E3 endpoint polls its instance's status until its operation is
 * confirmed; 700 requests polling one instance every 250 ms were 2,800 status reads a second,
 * which saturated the host (reads timed out into 500s, confirmations past 30 s into 202s). Sharing
 * only a read that started earlier would be cheaper still, but could answer "no instance" to a
 * caller that has just started one.
 */
export class FreshReads<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly waiting = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const waiting = this.waiting.get(key);
    if (waiting !== undefined) return waiting;
    const running = this.running.get(key);
    if (running === undefined) return this.start(key, load);
    const ignore = (): void => undefined;
    const next = running.then(ignore, ignore).then(() => {
      this.waiting.delete(key);
      return this.start(key, load);
    });
    this.waiting.set(key, next);
    return next;
  }

  private start(key: string, load: () => Promise<T>): Promise<T> {
    const read = load().finally(() => {
      if (this.running.get(key) === read) this.running.delete(key);
    });
    this.running.set(key, read);
    return read;
  }
}
