const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The timer and polling settings the host hands every orchestrator episode: the Azure Storage
 * provider's (timers longer than six days are split into three-day timers) and the extension's
 * default callHttp polling interval. The TimeSpan texts are what the SDK parses; the numbers are the
 * same values for the host's own arithmetic, which must agree with the SDK's.
 */
export const hostTimerSettings = {
  maximumShortTimerDuration: "6.00:00:00",
  maximumShortTimerMs: 6 * DAY_MS,
  longRunningTimerIntervalDuration: "3.00:00:00",
  longRunningTimerIntervalDays: 3,
  /** Spelt as the SDK's binding info spells it. */
  defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
} as const;
