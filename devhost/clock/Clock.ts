/**
 * The host's sense of time. Orchestrations see it (OrchestratorStarted timestamps, hence
 * currentUtcDateTime) and durable timers fire by it. The real clock follows the machine; the virtual
 * clock moves only when told to, or when the engine skips ahead to the next timer.
 */
export interface Clock {
  readonly mode: "real" | "virtual";
  now(): Date;
  /** Called after every jump of a virtual clock, so that due timers fire at once. */
  onAdvance(listener: () => void): void;
}

export class RealClock implements Clock {
  readonly mode = "real";
  now(): Date {
    return new Date();
  }
  onAdvance(): void {
    // Real time never jumps; timers are found by polling.
  }
}

export class VirtualClock implements Clock {
  readonly mode = "virtual";
  private current: number;
  private readonly listeners: (() => void)[] = [];

  constructor(start: Date = new Date()) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }

  advanceBy(milliseconds: number): Date {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new RangeError("The clock only moves forward.");
    return this.advanceTo(new Date(this.current + milliseconds));
  }

  /** Moves to the given instant (never backwards: an earlier instant leaves the clock where it is). */
  advanceTo(instant: Date): Date {
    if (instant.getTime() > this.current) {
      this.current = instant.getTime();
      for (const listener of this.listeners) listener();
    }
    return this.now();
  }
}
