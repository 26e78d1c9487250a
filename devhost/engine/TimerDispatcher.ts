import type { HostLogger } from "../app/HostLogger.js";
import { VirtualClock, type Clock } from "../clock/Clock.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import { QueuePoller } from "./QueuePoller.js";

export interface TimerOptions {
  /** How often due timers are looked for under the real clock. */
  pollIntervalMs: number;
  /** Under the virtual clock: jump to the next timer whenever nothing else can happen. */
  autoSkip: boolean;
  /** True when no message is held, no work runs and every queue was seen empty since the last activity. */
  isIdle: () => boolean;
}

/** Instants far enough ahead to list every timer. */
const END_OF_TIME = new Date(8_640_000_000_000_000);
const WAITING_STATUSES = ["Pending", "Running", "ContinuedAsNew", "Suspended"] as const;

/**
 * Turns due timers into TimerFired messages, by the host's clock. Under the virtual clock with
 * auto-skip, when the host is idle and every unfinished instance waits on a timer (so nothing but
 * time can move any of them), the clock jumps to the earliest timer: a 72-hour wait takes no time.
 * An instance waiting only for an event keeps the clock where it is, since skipping would decide a
 * race (event or timeout) that the test has not played yet.
 */
export class TimerDispatcher {
  private readonly poller: QueuePoller;

  constructor(
    private readonly storage: TaskHubStorage,
    private readonly clock: Clock,
    private readonly logger: HostLogger,
    private readonly options: TimerOptions,
  ) {
    this.poller = new QueuePoller(() => this.tick(), options.pollIntervalMs, (error) =>
      logger.log("warning", `Reading timers failed: ${String(error)}`),
    );
    clock.onAdvance(() => this.poller.wake());
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Fires what is due; returns true when it fired something (so the poller looks again at once). */
  private async tick(): Promise<boolean> {
    const due = await this.storage.dueTimers(this.clock.now(), 100);
    for (const timer of due) {
      await this.storage.sendControl(timer.message);
      await this.storage.deleteTimer(timer);
    }
    if (due.length > 0) return true;
    if (this.clock instanceof VirtualClock && this.options.autoSkip && this.options.isIdle()) return this.skipAhead(this.clock);
    return false;
  }

  private async skipAhead(clock: VirtualClock): Promise<boolean> {
    const timers = await this.storage.dueTimers(END_OF_TIME, 10_000);
    const earliest = timers[0];
    if (earliest === undefined) return false;
    const waitingOnTimers = new Set(timers.map((timer) => timer.message.instanceId));
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await this.storage.queryInstances({ runtimeStatus: [...WAITING_STATUSES], top: 1000, ...(token === undefined ? {} : { continuationToken: token }) });
      if (page.items.some((instance) => !waitingOnTimers.has(instance.instanceId))) return false;
      token = page.continuationToken;
    }
    // Checked again: something may have arrived while the instances were listed.
    if (!this.options.isIdle()) return false;
    this.logger.log("information", `Time skipping: the clock moves from ${clock.now().toISOString()} to ${earliest.fireAt}.`);
    clock.advanceTo(new Date(earliest.fireAt));
    return true;
  }
}
