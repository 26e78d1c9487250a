import { hostTimerSettings } from "./hostTimerSettings.js";

/**
 * durable-functions' long timers (schema V3): a timer that fires more than maximumShortTimerDuration
 * after "now" becomes a chain of timers, each at most longRunningTimerInterval long, the last one at
 * the requested time. The SDK numbers every timer of the chain, so the host must compute the same
 * fire times to create them.
 */
export const longTimer = {
  /** Whether the SDK makes a long timer of a timer to fireAt created at `now`. */
  isLong(fireAt: Date, now: Date): boolean {
    return fireAt.getTime() - now.getTime() > hostTimerSettings.maximumShortTimerMs;
  },

  /**
   * When the next timer of the chain fires. The SDK adds the interval with moment in local time, so
   * its days are calendar days: across a daylight saving change the interval is 71 or 73 hours, and
   * the host must add them the same way.
   */
  nextFireAt(finalFireAt: Date, now: Date): Date {
    if (!longTimer.isLong(finalFireAt, now)) return finalFireAt;
    const next = new Date(now.getTime());
    next.setDate(next.getDate() + hostTimerSettings.longRunningTimerIntervalDays);
    return next;
  },
};
