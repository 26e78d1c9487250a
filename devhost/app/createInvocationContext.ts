import { format } from "node:util";
import type { EffectiveFunctionOptions, FunctionInput, FunctionOutput, InvocationContext } from "@azure/functions";
import type { AzureFunctionsModule, RegisteredFunction } from "./functionTypes.js";
import { isTriggerType } from "./isTriggerType.js";

export interface InvocationContextInit {
  invocationId: string;
  traceContext: { traceParent: string; traceState: string; attributes: Record<string, string> };
  triggerMetadata: Record<string, unknown> | undefined;
  /** Binding data for the extra inputs, by binding type. */
  extraInputs: Record<string, unknown> | undefined;
  /** Receives every log call of the function, its arguments formatted as the library formats them. */
  log: (level: unknown, message: string) => void;
}

/**
 * An InvocationContext as the library builds it in the worker: built with the app's own
 * @azure/functions, options derived from the registered bindings, extra inputs filled in.
 */
export function createInvocationContext(library: AzureFunctionsModule, fn: RegisteredFunction, init: InvocationContextInit): InvocationContext {
  const options = effectiveOptions(fn);
  const context = new library.InvocationContext({
    invocationId: init.invocationId,
    functionName: fn.name,
    logHandler: (level, ...args) => init.log(level, format(...args)),
    traceContext: init.traceContext,
    ...(init.triggerMetadata === undefined ? {} : { triggerMetadata: init.triggerMetadata }),
    options,
  });
  for (const input of options.extraInputs) {
    const value = init.extraInputs?.[input.type];
    if (value !== undefined) context.extraInputs.set(input.name, value);
  }
  return context;
}

/** The split the library makes of the bindings: the trigger, `$return`, and the other inputs and outputs. */
function effectiveOptions(fn: RegisteredFunction): EffectiveFunctionOptions {
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  let returnBinding: FunctionOutput | undefined;
  for (const [name, binding] of Object.entries(fn.bindings)) {
    const named = { ...binding, name };
    if (isTriggerType(binding.type)) continue;
    if (name === "$return") returnBinding = named;
    else if (binding.direction === "in") extraInputs.push(named);
    else if (binding.direction === "out") extraOutputs.push(named);
  }
  return { trigger: fn.trigger, return: returnBinding, extraInputs, extraOutputs };
}
