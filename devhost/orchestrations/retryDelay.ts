import type { SdkRetryOptions } from "../protocol/SdkRetryOptions.js";

/** The extension's default maximum retry interval (its RetryOptions set six days). */
const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * How long to wait before the next attempt after the attempt numbered `failedAttempt` (0-based)
 * failed, as the Durable Task Framework's RetryInterceptor computes it: firstRetryInterval ×
 * backoffCoefficient^failedAttempt, capped at maxRetryInterval. Undefined once retryTimeout (counted
 * from the first attempt) has passed: the framework then gives up without another timer.
 */
export function retryDelay(options: SdkRetryOptions, failedAttempt: number, firstAttemptAt: Date, now: Date): number | undefined {
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && now.getTime() >= firstAttemptAt.getTime() + timeout) return undefined;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, failedAttempt);
  const cap = options.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS;
  return Math.round(delay < cap ? delay : cap);
}
