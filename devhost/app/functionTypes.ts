import type { InvocationContext } from "@azure/functions";

/** The shapes of the app's functions, shared by the app, its registry and the host's parts that route and invoke them. */

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
  /** W3C tracestate of the caller, kept with a valid traceParent. */
  traceState?: string;
  /** Why the host runs the function, for the "Executing" log line (Core Tools prints a Reason). */
  reason?: string;
  /** The trigger's metadata, as `context.triggerMetadata`. */
  triggerMetadata?: Record<string, unknown>;
  /**
   * Turns the result into what the host sends on, inside the invocation as the worker's response
   * conversion is: if it throws, the invocation fails ("Executed ... (Failed ...)"). `invoke`
   * then returns what this returns.
   */
  convertResult?: (result: unknown) => unknown;
  /**
   * Whether to write the "Executing '...'" and "Executed '...'" lines; default true. A caller whose
   * own host writes them (the .NET WebJobs host does for the durable triggers it runs through the
   * realhost worker) turns them off so they do not appear twice. A failure's description is logged
   * either way.
   */
  logExecution?: boolean;
}

/** The app's own @azure/functions: its classes are the ones the app's `instanceof` checks know. */
export type AzureFunctionsModule = typeof import("@azure/functions");
