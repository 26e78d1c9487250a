import type { InvocationContext } from "@azure/functions";
import type { AppHooks } from "./AppHooks.js";
import { readOnlyProperties } from "./readOnlyProperties.js";

export interface InvocationRun {
  context: InvocationContext;
  handler: unknown;
  inputs: unknown[];
  hooks: AppHooks;
  hookData: Record<string, unknown>;
  /** Set once the postInvocation hooks have run: a `context.log` after that is a late one. */
  finished: { value: boolean };
}

/**
 * The worker's invocation: preInvocation hooks (which may replace the inputs and the handler), the
 * handler with the inputs and the context, postInvocation hooks (which may replace the result or
 * the error), then the outcome: the error if one is left, else the result.
 */
export async function runInvocation(run: InvocationRun): Promise<unknown> {
  const { context, hooks, hookData, finished } = run;
  const scope = { hookData: () => hookData, appHookData: () => hooks.appHookData, invocationContext: () => context };

  const pre = readOnlyProperties({ inputs: run.inputs, functionCallback: run.handler }, scope);
  await hooks.run("preInvocation", pre);

  const outcome: { inputs: unknown[]; result: unknown; error: unknown } = { inputs: pre.inputs, result: null, error: null };
  const post = readOnlyProperties(outcome, scope);
  try {
    const handler = pre.functionCallback;
    if (typeof handler !== "function") throw new TypeError(`The function handler of '${context.functionName}' is not a function.`);
    post.result = await (handler as (...args: unknown[]) => unknown)(...pre.inputs, context);
  } catch (error) {
    post.error = error;
  }

  try {
    await hooks.run("postInvocation", post);
  } finally {
    finished.value = true;
  }
  // As in the worker, any value left in `error` (not only an Error) fails the invocation.
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the worker rethrows the value as it is, Error or not
  if (post.error !== null && post.error !== undefined) throw post.error;
  return post.result;
}
