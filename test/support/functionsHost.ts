import Module from "node:module";
import { HttpRequest, InvocationContext, type HttpRequestInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import type { BindingMetadata, RegisteredFunction as AppFunction } from "../../devhost/app/functionTypes.js";

/**
 * A stand-in for the Functions language worker, enough for tests: it provides the
 * `@azure/functions-core` module that the worker normally injects, records every function the app
 * registers (metadata and the handler the SDK wrapped), and builds InvocationContexts the way the
 * worker does. Without it, @azure/functions runs in "test mode" and registers nothing.
 */

/**
 * A function as registerFunction hands it over: the local host's RegisteredFunction before the
 * host has picked out its trigger (triggerOf does that here, when a test needs it).
 */
export type RegisteredFunction = Omit<AppFunction, "trigger">;

const CORE_MODULE = "@azure/functions-core";
const registry = new Map<string, RegisteredFunction>();
const hooks = new Map<string, unknown[]>();

interface ModuleInternals {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  _cache: Record<string, unknown>;
}

/** Must run before anything calls app.* (vitest.config.ts runs it as a setup file). */
export function installFunctionsCore(): void {
  const internals = Module as unknown as ModuleInternals;
  if (internals._cache[CORE_MODULE] !== undefined) return;
  const originalResolve = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? CORE_MODULE : originalResolve.call(this, request, ...rest);
  };
  const core = new Module(CORE_MODULE);
  core.exports = {
    registerFunction(metadata: { name: string; bindings: Record<string, BindingMetadata> }, handler: RegisteredFunction["handler"]) {
      registry.set(metadata.name, { name: metadata.name, bindings: metadata.bindings, handler });
      return { dispose: () => registry.delete(metadata.name) };
    },
    setProgrammingModel(): void {},
    getProgrammingModel(): undefined {
      return undefined;
    },
    registerHook(name: string, callback: unknown) {
      hooks.set(name, [...(hooks.get(name) ?? []), callback]);
      return { dispose: () => hooks.set(name, (hooks.get(name) ?? []).filter((hook) => hook !== callback)) };
    },
  };
  core.loaded = true;
  internals._cache[CORE_MODULE] = core;
}

const appModules = import.meta.glob<unknown>(["../../src/index.ts", "../../src/functions/*.ts"]);

/** Loads the app the way the host does (index plus every module in src/functions) and returns what it registered. */
export async function loadApp(): Promise<ReadonlyMap<string, RegisteredFunction>> {
  installFunctionsCore();
  await Promise.all(Object.values(appModules).map((load) => load()));
  return registry;
}

export function registeredFunction(name: string): RegisteredFunction {
  const registered = registry.get(name);
  if (registered === undefined) throw new Error(`No function named '${name}' was registered.`);
  return registered;
}

export function triggerOf(fn: RegisteredFunction): BindingMetadata {
  const trigger = Object.values(fn.bindings).find((binding) => /trigger$/i.test(binding.type));
  if (trigger === undefined) throw new Error(`${fn.name} has no trigger binding.`);
  return trigger;
}

export interface LogLine {
  level: string;
  message: string;
}

/**
 * An InvocationContext like the worker's, with the function's extra inputs declared and the given
 * binding data supplied (the durable client's, for client functions).
 */
export function invocationContext(
  fn: RegisteredFunction,
  logs: LogLine[] = [],
  extraInputData?: unknown,
  traceParent?: string,
): InvocationContext {
  const extraInputs = Object.entries(fn.bindings)
    .filter(([, binding]) => binding.direction === "in" && !/trigger$/i.test(binding.type))
    .map(([name, binding]) => ({ ...binding, name }));
  const [triggerName, trigger] = Object.entries(fn.bindings).find(([, binding]) => /trigger$/i.test(binding.type)) ?? [];
  const context = new InvocationContext({
    invocationId: `test-${Math.random().toString(16).slice(2)}`,
    functionName: fn.name,
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(" ") }),
    ...(traceParent === undefined ? {} : { traceContext: { traceParent, traceState: "", attributes: {} } }),
    options: {
      trigger: { ...(trigger ?? { type: "unknown" }), name: triggerName ?? "trigger" },
      extraInputs,
      extraOutputs: [],
    },
  });
  for (const input of extraInputs) context.extraInputs.set(input.name, extraInputData);
  return context;
}

/** Invokes an HTTP-triggered function as the worker would, with a real HttpRequest. */
export async function invokeHttp(
  name: string,
  init: HttpRequestInit,
  durableClientData: unknown,
  logs: LogLine[] = [],
  traceParent?: string,
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const fn = registeredFunction(name);
  const response = (await fn.handler(new HttpRequest(init), invocationContext(fn, logs, durableClientData, traceParent))) as {
    status?: number;
    headers?: unknown;
    jsonBody?: unknown;
    body?: unknown;
    json?: () => Promise<unknown>;
  };
  return normaliseResponse(response);
}

/**
 * Calls a client function's handler directly with a real DurableClient for the given binding data,
 * as df.app.client.http would: for handlers built with test settings (short timings, say) that the
 * registered function does not use. The context is the registered function's, so the durable
 * client binding is found where the SDK and the app look for it.
 */
export async function invokeDurableHttpHandler(
  functionName: string,
  handler: (request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<unknown>,
  init: HttpRequestInit,
  durableClientData: unknown,
  logs: LogLine[] = [],
  traceParent?: string,
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  // Imported on use: this module must not load durable-functions before installFunctionsCore runs.
  const { getClient } = await import("durable-functions");
  const context = invocationContext(registeredFunction(functionName), logs, durableClientData, traceParent);
  const response = (await handler(new HttpRequest(init), getClient(context), context)) as Parameters<typeof normaliseResponse>[0];
  return normaliseResponse(response);
}

async function normaliseResponse(response: {
  status?: number;
  headers?: unknown;
  jsonBody?: unknown;
  body?: unknown;
  json?: () => Promise<unknown>;
}): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const headers: Record<string, string> = {};
  if (response.headers instanceof Headers) response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
  else if (response.headers !== undefined && response.headers !== null) {
    for (const [key, value] of Object.entries(response.headers as Record<string, string>)) headers[key.toLowerCase()] = value;
  }
  // HttpResponse (what createCheckStatusResponse returns) keeps its body as a stream.
  const body = typeof response.json === "function" ? await response.json() : response.jsonBody;
  return { status: response.status ?? 200, headers, body };
}
