import { ActionType } from "../protocol/ActionType.js";
import type { PlannedEvent } from "./PlannedEvent.js";
import type { SdkAction } from "../protocol/SdkAction.js";

/**
 * The external events among `processed` that no waitForExternalEvent took. The SDK hands each event
 * of a name to the waiter of that name that is open, else keeps it for the next waiter; both go in
 * arrival order, so over an execution the events of a name that were taken are the first as many as
 * there were waiters for it. A ContinueAsNew loses the others.
 */
export function unconsumedEvents(earlier: readonly string[], processed: readonly PlannedEvent[], actions: readonly SdkAction[]): Set<PlannedEvent> {
  const waiters = new Map<string, number>();
  const countWaiters = (action: SdkAction): void => {
    if (action.actionType === ActionType.WaitForExternalEvent && action.externalEventName !== undefined) {
      waiters.set(action.externalEventName, (waiters.get(action.externalEventName) ?? 0) + 1);
    }
    action.compoundActions?.forEach(countWaiters);
  };
  actions.forEach(countWaiters);

  const seen = new Map<string, number>();
  for (const name of earlier) seen.set(name, (seen.get(name) ?? 0) + 1);
  const unconsumed = new Set<PlannedEvent>();
  for (const planned of processed) {
    const name = planned.externalEvent;
    if (name === undefined) continue;
    const position = seen.get(name) ?? 0;
    seen.set(name, position + 1);
    if (position >= (waiters.get(name) ?? 0)) unconsumed.add(planned);
  }
  return unconsumed;
}
