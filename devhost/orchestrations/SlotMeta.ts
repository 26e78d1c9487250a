import type { SdkRetryOptions } from "../protocol/SdkRetryOptions.js";
import type { Slot } from "./Slot.js";

/**
 * What a scheduling event records beyond the extension's own fields, so that the host can rebuild
 * its bookkeeping from the history alone (the SDK ignores these fields).
 */
export interface SlotMeta {
  origin: Slot["origin"];
  /** For slots that continue a group: the group's first slot. */
  group?: number;
  /** For "action" slots: the action's type and what it names, to detect a changed orchestrator. */
  actionType?: number;
  target?: string;
  /** On a retry's first attempt. */
  retryOptions?: SdkRetryOptions;
  /** On a timer chain's first timer: when the chain ends. */
  finalFireAt?: Date;
  /** Set on the events of attempts a retry timeout skipped (never run). */
  synthetic?: boolean;
}
