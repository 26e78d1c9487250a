import { EventType, type FailureDetails, type NewHistoryEvent } from "../protocol/historyEvents.js";
import type { OrchestrationFailure } from "./OrchestrationFailure.js";

/**
 * The ExecutionFailed that ends a failed execution (with FailureDetails for the host's own readers)
 * and what a parent is told: the extension's reason and details, and a structured failure only
 * when the SDK reported one.
 */
export function executionFailed(failure: OrchestrationFailure): {
  event: NewHistoryEvent;
  report: { status: "Failed"; reason: string; details: string; failureDetails?: FailureDetails };
} {
  const structured = failure.structured;
  return {
    event: {
      EventType: EventType.ExecutionFailed,
      Reason: failure.reason,
      Details: failure.details,
      FailureDetails: {
        ErrorType: failure.errorType,
        ErrorMessage: failure.reason,
        ...(failure.stackTrace === undefined ? {} : { StackTrace: failure.stackTrace }),
      },
      Result: JSON.stringify(failure.reason),
      OrchestrationStatus: "Failed",
    },
    report: {
      status: "Failed",
      reason: failure.reason,
      details: failure.details,
      ...(structured === undefined
        ? {}
        : {
            failureDetails: {
              ErrorType: structured.ErrorType ?? "Error",
              ErrorMessage: structured.ErrorMessage ?? "",
              ...(structured.StackTrace === undefined ? {} : { StackTrace: structured.StackTrace }),
            },
          }),
    },
  };
}
