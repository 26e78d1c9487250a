import { ActionType } from "../protocol/ActionType.js";
import type { SdkAction } from "../protocol/SdkAction.js";

export interface LeafAction {
  action: SdkAction;
  /**
   * The same action object appeared earlier: the orchestrator passed a task it had already yielded
   * to a new Task.all or Task.any. Only visible on the SDK's live objects.
   */
  repeated: boolean;
}

/**
 * The actions that take a sequence number, in the order the SDK numbers them: compound actions
 * stand for their children, depth first; waits for external events and ContinueAsNew take none;
 * everything else, signals included, takes one.
 */
export function leafActions(actions: readonly SdkAction[]): LeafAction[] {
  const seen = new Set<SdkAction>();
  const leaves: LeafAction[] = [];
  const visit = (action: SdkAction): void => {
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      for (const child of action.compoundActions ?? []) visit(child);
      return;
    }
    if (action.actionType === ActionType.WaitForExternalEvent || action.actionType === ActionType.ContinueAsNew) return;
    leaves.push({ action, repeated: seen.has(action) });
    seen.add(action);
  };
  for (const action of actions) visit(action);
  return leaves;
}
