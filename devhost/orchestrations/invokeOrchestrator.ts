import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import type { SdkOrchestratorState } from "../protocol/SdkOrchestratorState.js";

const OUT_OF_PROC_DATA = "\n\n$OutOfProcData$:";

interface OrchestratorRun {
  state: SdkOrchestratorState;
  /** Set when the episode failed: the orchestrator's message (or the invocation's, when it failed outright). */
  error?: string;
  /** False when the invocation failed without the SDK's state: there are no actions to look at. */
  hasActions: boolean;
}

/**
 * Runs one episode through the SDK. On success the state holds the SDK's live action objects (the
 * host tells a re-yielded task by identity); the worker would serialise the state, so the
 * invocation fails, as it would there, when the state cannot be. A failing orchestrator makes the
 * SDK throw with its state after the $OutOfProcData$ marker, as the extension expects.
 */
export async function invokeOrchestrator(app: FunctionInvoker, name: string, trigger: unknown, reason?: string): Promise<OrchestratorRun> {
  try {
    const result = await app.invoke(name, trigger, {
      convertResult: (value) => {
        JSON.stringify(value);
        return value;
      },
      ...(reason === undefined ? {} : { reason }),
    });
    if (!isState(result)) {
      return { state: emptyState(), error: `The orchestrator function '${name}' did not answer with an orchestration state.`, hasActions: false };
    }
    return { state: result, hasActions: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const marker = message.indexOf(OUT_OF_PROC_DATA);
    if (marker < 0) return { state: emptyState(), error: message, hasActions: false };
    const state = JSON.parse(message.slice(marker + OUT_OF_PROC_DATA.length)) as SdkOrchestratorState;
    // The SDK reports the orchestrator's error message only; a thrown non-Error has none (the
    // extension would then wait forever for an episode that never comes).
    return { state, error: state.error ?? "The orchestrator threw a value that is not an Error.", hasActions: true };
  }
}

function isState(value: unknown): value is SdkOrchestratorState {
  return typeof value === "object" && value !== null && Array.isArray((value as { actions?: unknown }).actions);
}

function emptyState(): SdkOrchestratorState {
  return { isDone: false, actions: [[]] };
}
