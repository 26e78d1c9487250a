import type { SdkOrchestratorState } from "../protocol/SdkOrchestratorState.js";

/** Why an execution failed, in the terms the extension records: reason (the output), details, the error's type. */
export interface OrchestrationFailure {
  reason: string;
  errorType: string;
  details: string;
  stackTrace?: string;
  /** A structured failure the SDK reported (an unhandled TaskFailedError), passed on to a parent. */
  structured?: SdkOrchestratorState["failureDetails"];
}
