import { ActionType } from "../protocol/ActionType.js";
import type { SdkAction } from "../protocol/SdkAction.js";

const TYPE_NAMES = new Map<number, string>(Object.entries(ActionType).map(([name, value]) => [value, name]));

/**
 * What identifies a numbered action when a replay is checked against the history: its type and what
 * it names (the function, the entity and operation, the HTTP request). A replay that yields a
 * different signature for a number was given different code.
 */
export const actionSignature = {
  of(action: SdkAction): { actionType: number; target: string } {
    switch (action.actionType) {
      case ActionType.CallEntity:
      case ActionType.SignalEntity:
        return { actionType: action.actionType, target: `${action.operation ?? ""} on ${action.instanceId ?? ""}` };
      case ActionType.CallHttp:
        return { actionType: action.actionType, target: `${action.httpRequest?.method ?? ""} ${action.httpRequest?.uri ?? ""}` };
      case ActionType.CreateTimer:
        return { actionType: action.actionType, target: "" };
      default:
        return { actionType: action.actionType, target: action.functionName ?? "" };
    }
  },

  describe(actionType: number, target: string): string {
    const type = TYPE_NAMES.get(actionType) ?? `action type ${actionType}`;
    return target === "" ? type : `${type} '${target}'`;
  },
};
