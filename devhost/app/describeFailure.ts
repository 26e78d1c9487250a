/**
 * The exception line Core Tools prints after "Executed ... (Failed ...)": the worker reports the
 * error's message and stack, with the worker's rules for values that are not Errors.
 */
export function describeFailure(functionName: string, error: unknown): string {
  const { message, stack } = asError(error);
  const details = stack === undefined ? `Exception: ${message}` : `Exception: ${message}\nStack: ${stack}`;
  return `System.Private.CoreLib: Exception while executing function: Functions.${functionName}. System.Private.CoreLib: Result: Failure\n${details}`;
}

function asError(error: unknown): { message: string; stack: string | undefined } {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  if (error === undefined || error === null) return { message: "Unknown error", stack: undefined };
  if (typeof error === "object") return { message: JSON.stringify(error), stack: undefined };
  if (typeof error === "string") return { message: error, stack: undefined };
  return { message: (error as { toString(): string }).toString(), stack: undefined };
}
