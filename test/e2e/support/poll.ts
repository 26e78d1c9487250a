/**
 * Bounded waiting: read something until a condition holds or a deadline passes, then fail with
 * what was seen last. Never a fixed sleep standing in for an assertion.
 */

export interface PollOptions {
  /**
   * 30 s by default: host.json lets an idle host's queue polling back off to 10 s
   * (maxQueuePollingInterval), so one step against func start can take that long twice over.
   */
  timeoutMs?: number;
  intervalMs?: number;
}

export const DEFAULT_POLL_TIMEOUT_MS = 30_000;
const DEFAULT_POLL_INTERVAL_MS = 150;

export async function pollUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await read();
      last = { value };
      lastError = undefined;
      if (done(value)) return value;
    } catch (error) {
      // A read can fail while a host restarts; the deadline decides, and the message says why.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const seen = last === undefined ? "nothing" : describe(last.value);
      const failure = lastError === undefined ? "" : `\nThe last read failed: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.\nLast seen: ${seen}${failure}`);
    }
    await sleep(options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return value.slice(0, 4_000);
  try {
    return (JSON.stringify(value, null, 1) as string | undefined)?.slice(0, 4_000) ?? String(value);
  } catch {
    return String(value);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
