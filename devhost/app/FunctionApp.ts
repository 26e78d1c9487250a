import type { InvocationContext } from "@azure/functions";
import type { HostLogger } from "./HostLogger.js";

/** SKELETON: implemented by the app-loading work; signatures are the contract. */

export interface BindingMetadata {
  type: string;
  direction: "in" | "out" | "inout";
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingMetadata>;
  /** The trigger binding, with its name filled in. */
  trigger: BindingMetadata & { name: string };
  handler: (triggerInput: unknown, context: InvocationContext) => unknown;
}

export interface InvokeOptions {
  /** Binding data for the function's extra inputs, by binding type (the host supplies "durableClient"). */
  extraInputs?: Record<string, unknown>;
  /** W3C traceparent of the caller, for the invocation's trace context. */
  traceParent?: string;
  /** Why the host runs the function, for the "Executing" log line (Core Tools prints a Reason). */
  reason?: string;
}

export class FunctionApp {
  static load(appRoot: string, logger: HostLogger): Promise<FunctionApp> { throw new Error("not implemented"); }
  list(): RegisteredFunction[] { throw new Error("not implemented"); }
  get(name: string): RegisteredFunction | undefined { throw new Error("not implemented"); }
  /** Runs the function with the app's pre/post invocation hooks, logging Executing/Executed lines; returns or throws what the handler does. */
  invoke(name: string, triggerInput: unknown, options?: InvokeOptions): Promise<unknown> { throw new Error("not implemented"); }
  runAppStartHooks(): Promise<void> { throw new Error("not implemented"); }
  runAppTerminateHooks(): Promise<void> { throw new Error("not implemented"); }
}
