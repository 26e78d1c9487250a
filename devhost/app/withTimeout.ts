/**
 * host.json's functionTimeout: an invocation that has not ended by then fails with the host's own
 * message. The Functions host then restarts the worker to stop the code; one process cannot stop a
 * promise, so here the code runs on, but nothing waits for it any more (its request gets its 500,
 * its activity its failure).
 */
export async function withTimeout<T>(invocation: Promise<T>, timeoutMs: number | undefined, functionName: string): Promise<T> {
  if (timeoutMs === undefined) return invocation;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timeout value of ${timeSpan(timeoutMs)} was exceeded by function: Functions.${functionName}`)), timeoutMs);
  });
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** As .NET prints a TimeSpan: hh:mm:ss, with days in front when there are any. */
function timeSpan(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  const days = Math.floor(seconds / 86_400);
  const clock = [Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60].map((part) => String(part).padStart(2, "0")).join(":");
  return days > 0 ? `${days}.${clock}` : clock;
}
