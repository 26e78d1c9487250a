import { actionSignature } from "./actionSignature.js";
import type { LeafAction } from "./leafActions.js";
import { OrchestrationFault } from "./OrchestrationFault.js";
import type { OrchestrationLedger } from "./OrchestrationLedger.js";

/**
 * Checks that the replay yielded, for every number the history holds, the same action it did when
 * the number was handed out. The SDK itself would apply the old results to whatever now has that
 * number (or wait forever for one that never comes); the Durable Task Framework calls this a
 * non-deterministic workflow and fails the instance, and so does the host.
 */
export function checkDeterminism(orchestrator: string, ledger: OrchestrationLedger, leaves: readonly LeafAction[]): void {
  const recorded = ledger.actionSlots();
  recorded.forEach((slot, index) => {
    const expected = actionSignature.describe(
      typeof slot.event.ActionType === "number" ? slot.event.ActionType : -1,
      typeof slot.event.Target === "string" ? slot.event.Target : "",
    );
    const leaf = leaves[index];
    const prefix = `Non-deterministic workflow detected: orchestrator '${orchestrator}' no longer matches its history at task ${slot.sequence}`;
    if (leaf === undefined) {
      throw new OrchestrationFault(
        "NonDeterministicOrchestrationException",
        `${prefix}: the history has ${expected} there, but the replay scheduled only ${leaves.length} of its ${recorded.length} tasks. ` +
          "An orchestrator's code must not change while instances of it are running.",
      );
    }
    const actual = actionSignature.of(leaf.action);
    const found = actionSignature.describe(actual.actionType, actual.target);
    if (found !== expected) {
      throw new OrchestrationFault(
        "NonDeterministicOrchestrationException",
        `${prefix}: the history has ${expected} there, but the replay scheduled ${found}. ` +
          "An orchestrator's code must not change while instances of it are running.",
      );
    }
  });
}
