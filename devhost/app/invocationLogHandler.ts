import { format } from "node:util";
import type { InvocationContext } from "@azure/functions";
import type { AppHooks } from "./AppHooks.js";
import type { HostLogger } from "./HostLogger.js";
import { readOnlyProperties } from "./readOnlyProperties.js";
import { toHostLogLevel } from "./toHostLogLevel.js";

export interface InvocationLogScope {
  functionName: string;
  invocationId: string;
  /** Whether the invocation has finished (set by runInvocation). */
  finished: { readonly value: boolean };
  hooks: AppHooks;
  hookData: Record<string, unknown>;
  logger: HostLogger;
  context: () => InvocationContext;
}

/**
 * Where the function's `context.log` calls go: through the app's log hooks (which may change the
 * level and message), then to the host log, with the library's warning for a log that comes after
 * the function has finished (a promise someone forgot to await).
 */
export function invocationLogHandler(scope: InvocationLogScope): (level: unknown, message: string) => void {
  return (level, message) => {
    if (scope.finished.value) {
      scope.logger.log(
        "warning",
        `Warning: Unexpected call to 'log' on the context object after function execution has completed. Please check for asynchronous calls that are not awaited. Function name: ${scope.functionName}. Invocation Id: ${scope.invocationId}.`,
      );
    }
    // A log hook may set any value; the library formats whatever it gets.
    const line: { level: unknown; message: unknown } = { level, message };
    const entry = readOnlyProperties(
      line,
      { hookData: () => scope.hookData, appHookData: () => scope.hooks.appHookData, category: () => "user", invocationContext: scope.context },
    );
    try {
      scope.hooks.runSync("log", entry);
    } catch (error) {
      scope.logger.log("warning", `A log hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const hostLevel = toHostLogLevel(entry.level);
    if (hostLevel !== undefined) scope.logger.log(hostLevel, typeof entry.message === "string" ? entry.message : format(entry.message));
  };
}
