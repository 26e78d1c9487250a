import { EventType, type FailureDetails, type NewHistoryEvent } from "../protocol/historyEvents.js";

/**
 * The TaskFailed the extension records when a Node.js activity throws. The orchestrator sees
 * `Error(Reason + " \n " + Details)`, unless FailureDetails is present: the extension sets it only
 * when the activity's error carries durable-functions' structured payload (an app that registered
 * an ExceptionPropertiesProvider), and the SDK then throws a TaskFailedError built from it.
 */
export function activityFailure(sequence: number, activityName: string, error: unknown): NewHistoryEvent {
  const message = messageOf(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const structured = structuredFailure(message);
  return {
    EventType: EventType.TaskFailed,
    TaskScheduledId: sequence,
    Reason: `Activity function '${activityName}' failed: ${structured?.ErrorMessage ?? message}`,
    // What the extension serialises of the .NET exception it wraps the worker's error in.
    Details: JSON.stringify({ ClassName: "System.Exception", Message: structured?.ErrorMessage ?? message, StackTraceString: stack ?? null }),
    ...(structured === undefined ? {} : { FailureDetails: structured }),
  };
}

/** The message the Node.js worker reports for a thrown value (its ensureErrorType rules). */
function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined || error === null) return "Unknown error";
  if (typeof error === "string") return error;
  if (typeof error === "number" || typeof error === "boolean" || typeof error === "bigint" || typeof error === "symbol") return error.toString();
  return typeof error === "function" ? error.name : JSON.stringify(error);
}

interface StructuredPayload {
  errorType?: unknown;
  errorMessage?: unknown;
  stackTrace?: unknown;
  isNonRetriable?: unknown;
  properties?: unknown;
  innerFailure?: unknown;
}

/** durable-functions' TaskFailureDetails JSON (camelCase), as the extension's FailureDetails (PascalCase). */
function structuredFailure(message: string): FailureDetails | undefined {
  if (!message.startsWith("{")) return undefined;
  try {
    return toFailureDetails(JSON.parse(message) as unknown);
  } catch {
    return undefined;
  }
}

function toFailureDetails(value: unknown): FailureDetails | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const payload = value as StructuredPayload;
  if (typeof payload.errorType !== "string" || typeof payload.errorMessage !== "string") return undefined;
  const inner = toFailureDetails(payload.innerFailure);
  const details: FailureDetails & Record<string, unknown> = {
    ErrorType: payload.errorType,
    ErrorMessage: payload.errorMessage,
    ...(typeof payload.stackTrace === "string" ? { StackTrace: payload.stackTrace } : {}),
    IsNonRetriable: payload.isNonRetriable === true,
    ...(payload.properties === undefined ? {} : { Properties: payload.properties }),
    ...(inner === undefined ? {} : { InnerFailure: inner }),
  };
  return details;
}
