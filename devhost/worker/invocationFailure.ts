import { inspect } from "node:util";

/** What the .NET host is told about a failed invocation: the exception's message and stack. */
export interface InvocationFailure {
  message: string;
  /** "" when there is none (a value thrown that is not an Error). */
  stack: string;
}

/**
 * A thrown value as the Node worker reports it to the Functions host. The worker
 * (azure-functions-nodejs-worker, src/setupEventStream.ts `handleMessage`) answers a failed
 * invocation with `exception: { message: error.message, stackTrace: error.stack }` after
 * `ensureErrorType` (src/errors.ts), which keeps an Error as it is and wraps anything else in a new
 * Error: "Unknown error" for null and undefined, a string as it is, an object as JSON.stringify
 * writes it, anything else as String() writes it.
 *
 * The message is what the extension records as the failure: an orchestrator's failure carries the
 * SDK's state after "$OutOfProcData$:" in it, so it goes through unchanged. The one difference: the
 * worker's wrapper Error has a stack that points into the worker itself, not into the app, so
 * here a value that is not an Error has no stack.
 */
export function invocationFailure(error: unknown): InvocationFailure {
  if (error instanceof Error) {
    // An app can put anything in these properties; the host expects strings.
    const { message, stack } = error as { message: unknown; stack: unknown };
    return { message: String(message), stack: typeof stack === "string" ? stack : "" };
  }
  return { message: messageOf(error), stack: "" };
}

function messageOf(error: unknown): string {
  switch (typeof error) {
    case "undefined":
      return "Unknown error";
    case "string":
      return error;
    case "object":
      return error === null ? "Unknown error" : jsonOf(error);
    case "function":
      return error.toString();
    case "number":
    case "boolean":
    case "bigint":
    case "symbol":
      return String(error);
  }
}

function jsonOf(error: object): string {
  try {
    // Undefined for an object whose toJSON returns undefined; the worker would send no message.
    const json = JSON.stringify(error) as string | undefined;
    return json === undefined ? "" : json;
  } catch {
    // A cycle or a bigint inside: the worker's ensureErrorType would itself throw and the host
    // would get no answer at all. A description beats a hung invocation.
    return inspect(error);
  }
}
