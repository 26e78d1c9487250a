import type { OrchestrationFailure } from "./OrchestrationFailure.js";
import type { SdkOrchestratorState } from "../protocol/SdkOrchestratorState.js";

/** How durable-functions refuses context.df.lock below schema V4, which this host does not offer (the real extension does). */
const SDK_LOCK_REFUSAL = "lock requires a Durable Functions extension that supports OOProc schema V4";

/**
 * The failure of an orchestrator that threw, as the extension reports it: "Orchestrator function
 * '<name>' failed: <message>", with the SDK's message and what it knows of the stack as details.
 */
export function orchestratorFailure(name: string, error: string, state: SdkOrchestratorState): OrchestrationFailure {
  const stackTrace = state.failureDetails?.StackTrace;
  const note = error.startsWith(SDK_LOCK_REFUSAL) ? " Entity locks are not supported by this host." : "";
  return {
    reason: `Orchestrator function '${name}' failed: ${error}${note}`,
    errorType: "OrchestrationFailureException",
    details: `Message: ${error}, StackTrace: ${stackTrace ?? ""}`,
    ...(stackTrace === undefined ? {} : { stackTrace }),
    ...(state.failureDetails === undefined ? {} : { structured: state.failureDetails }),
  };
}
