import { ActionType } from "../protocol/ActionType.js";
import { actionSignature } from "./actionSignature.js";
import type { EpisodeWork } from "./EpisodeWork.js";
import { jsonText } from "./jsonText.js";
import type { LeafAction } from "./leafActions.js";
import { parseEntityInstanceId } from "../protocol/messages.js";
import { OrchestrationFault } from "./OrchestrationFault.js";
import { schedule } from "./schedule.js";
import type { SdkAction } from "../protocol/SdkAction.js";
import type { SlotMeta } from "./SlotMeta.js";

/**
 * Takes the number of a task the orchestrator yielded in this episode and starts its work. Fails the
 * instance, as the extension does, for what it cannot schedule: a function that does not exist, a
 * sub-orchestration id it refuses, a task passed again to a new Task.all/Task.any, entity locks.
 */
export function scheduleLeaf(work: EpisodeWork, leaf: LeafAction): void {
  const { action } = leaf;
  if (leaf.repeated) throw repeatedTask(action);
  const signature = actionSignature.of(action);
  const meta: SlotMeta = { origin: "action", actionType: action.actionType, target: signature.target };
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const name = requireFunction(work, action.functionName, "activityTrigger", "activity");
      const retryOptions = action.actionType === ActionType.CallActivityWithRetry ? action.retryOptions : undefined;
      return schedule.activity(work, work.takeSequence(), name, jsonText(action.input, true), retryOptions === undefined ? meta : { ...meta, retryOptions });
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const name = requireFunction(work, action.functionName, "orchestrationTrigger", "orchestrator");
      const sequence = work.takeSequence();
      const instanceId = childInstanceId(work, action.instanceId, sequence);
      const retryOptions = action.actionType === ActionType.CallSubOrchestratorWithRetry ? action.retryOptions : undefined;
      const call = { name, instanceId, input: jsonText(action.input, false), version: action.version };
      return schedule.subOrchestration(work, sequence, call, retryOptions === undefined ? meta : { ...meta, retryOptions });
    }
    case ActionType.CreateTimer:
      return schedule.timerTask(work, work.takeSequence(), new Date(action.fireAt ?? work.now), meta);
    case ActionType.CallEntity:
    case ActionType.SignalEntity: {
      const target = action.instanceId ?? "";
      requireFunction(work, parseEntityInstanceId(target)?.name, "entityTrigger", "entity");
      const operation = { target, name: action.operation ?? "", input: jsonText(action.input, false), isSignal: action.actionType === ActionType.SignalEntity };
      return schedule.entity(work, work.takeSequence(), operation, meta);
    }
    case ActionType.CallHttp: {
      if (action.httpRequest === undefined) throw new OrchestrationFault("ArgumentException", "A CallHttp action came without its request.");
      return schedule.http(work, work.takeSequence(), action.httpRequest, meta, true);
    }
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      throw new OrchestrationFault(
        "NotSupportedException",
        "Entity locks (context.df.lock, critical sections) are not supported by this host: it negotiates replay schema V3, as the Durable extension does for Node.js apps.",
      );
    default:
      throw new OrchestrationFault("ArgumentException", `Received an unexpected action type from the orchestrator: '${action.actionType}'.`);
  }
}

/** The registered function's name; the extension refuses to schedule a function that is not one of the kind. */
function requireFunction(work: EpisodeWork, name: string | undefined, triggerType: string, kind: string): string {
  const fn = name === undefined ? undefined : work.app.get(name);
  if (fn === undefined || fn.trigger.type !== triggerType) {
    throw new OrchestrationFault("ArgumentException", `The function '${name ?? ""}' doesn't exist, is disabled, or is not an ${kind} function.`);
  }
  return fn.name;
}

/** The orchestrator's id, checked as the extension checks it; else the framework's: the execution id and the task's number. */
function childInstanceId(work: EpisodeWork, requested: string | undefined, sequence: number): string {
  if (requested === undefined || requested === "") return `${work.executionId}:${sequence}`;
  const parent = work.ledger.parent?.instanceId;
  if (requested.toLowerCase() === work.instanceId.toLowerCase() || requested.toLowerCase() === parent?.toLowerCase()) {
    throw new OrchestrationFault("ArgumentException", "The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.");
  }
  if (requested.startsWith("@")) throw new OrchestrationFault("ArgumentException", "Orchestration instance ids must not start with @.");
  return requested;
}

function repeatedTask(action: SdkAction): OrchestrationFault {
  const { actionType, target } = actionSignature.of(action);
  return new OrchestrationFault(
    "NotSupportedException",
    `The orchestrator passed a task it had already yielded (${actionSignature.describe(actionType, target)}) to a new Task.all or Task.any. ` +
      "The Durable extension schedules such a task a second time under a new id, after which the SDK's task ids no longer match the " +
      "extension's and the instance waits forever (azure-functions-durable-js#574). Create a new task instead.",
  );
}
