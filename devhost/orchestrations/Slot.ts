import type { NewHistoryEvent } from "../protocol/historyEvents.js";

/**
 * A sequence number the SDK has handed out, and what the host did with it. The SDK numbers the tasks
 * an orchestrator yields, and also, on its own, the tasks behind a retry (a timer after each failed
 * attempt, then the next attempt), a long timer (each further timer of the chain) and a polled
 * callHttp (a timer and the next request after each 202): `origin` tells which.
 */
export interface Slot {
  sequence: number;
  kind: "activity" | "http" | "subOrchestration" | "timer" | "entityCall" | "entitySignal";
  origin: "action" | "retryTimer" | "retryAttempt" | "subTimer" | "pollTimer" | "pollRequest";
  /**
   * The slot its group began with: a retry's first attempt, a timer chain's first timer, a polled
   * call's first request. A slot that begins a group (every "action" slot) is its own group.
   */
  group: number;
  /** When the episode that took the number ran. */
  scheduledAt: Date;
  /** The event that records it (TaskScheduled, SubOrchestrationInstanceCreated, TimerCreated, EventSent). */
  event: NewHistoryEvent;
}
