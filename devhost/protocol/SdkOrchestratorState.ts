import type { SdkAction } from "./SdkAction.js";

/** What durable-functions answers an orchestration trigger with (schema V2 and later: one flat action list). */
export interface SdkOrchestratorState {
  isDone: boolean;
  actions: SdkAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  /** Set when the orchestrator failed with a TaskFailedError (a task's structured failure). */
  failureDetails?: { ErrorType?: string; ErrorMessage?: string; StackTrace?: string };
  schemaVersion?: number;
}
