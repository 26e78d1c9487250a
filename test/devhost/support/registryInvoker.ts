import { beforeAll } from "vitest";
import type { InvokeOptions, RegisteredFunction as AppFunction } from "../../../devhost/app/functionTypes.js";
import type { FunctionInvoker } from "../../../devhost/protocol/FunctionInvoker.js";
import { invocationContext, loadApp, triggerOf, type LogLine, type RegisteredFunction } from "../../support/functionsHost.js";

export interface InvocationRecord {
  name: string;
  reason?: string;
}

/**
 * The test registry of functionsHost (the app's functions and those a test file registers) as the
 * runners' FunctionInvoker: lookups ignore case as the host's do, every invocation gets a fresh
 * InvocationContext, and convertResult runs inside the invocation as FunctionApp runs it.
 */
export class RegistryInvoker implements FunctionInvoker {
  readonly logs: LogLine[] = [];
  readonly invocations: InvocationRecord[] = [];

  constructor(private readonly registry: ReadonlyMap<string, RegisteredFunction>) {}

  /** The app's registry as an invoker of the class it is called on, so that subclasses load too. */
  static async load<T extends RegistryInvoker>(this: new (registry: ReadonlyMap<string, RegisteredFunction>) => T): Promise<T> {
    return new this(await loadApp());
  }

  get(name: string): AppFunction | undefined {
    const fn = this.find(name);
    if (fn === undefined) return undefined;
    const [triggerName] = Object.entries(fn.bindings).find(([, binding]) => binding === triggerOf(fn)) ?? ["trigger"];
    return { name: fn.name, bindings: fn.bindings, trigger: { ...triggerOf(fn), name: triggerName }, handler: fn.handler };
  }

  async invoke(name: string, triggerInput: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const fn = this.find(name);
    if (fn === undefined) throw new Error(`Function code for '${name}' is not loaded and cannot be invoked.`);
    this.invocations.push({ name: fn.name, ...(options.reason === undefined ? {} : { reason: options.reason }) });
    const context = invocationContext(fn, this.logs);
    if (options.triggerMetadata !== undefined) context.triggerMetadata = options.triggerMetadata;
    const result = await fn.handler(triggerInput, context);
    return options.convertResult === undefined ? result : options.convertResult(result);
  }

  private find(name: string): RegisteredFunction | undefined {
    const lower = name.toLowerCase();
    return this.registry.get(name) ?? [...this.registry.values()].find((fn) => fn.name.toLowerCase() === lower);
  }
}

/**
 * The registry as an invoker for the test file that calls this at its top level: loaded in
 * beforeAll, as loading the app's modules is asynchronous. The getter works from then on.
 */
export function useRegistryInvoker(): () => RegistryInvoker {
  let loaded: RegistryInvoker | undefined;
  beforeAll(async () => {
    loaded = await RegistryInvoker.load();
  });
  return () => {
    if (loaded === undefined) throw new Error("The registry is loaded in beforeAll.");
    return loaded;
  };
}
