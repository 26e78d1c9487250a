import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";

const { OrchestrationRuntimeStatus } = df;

const terminalStatuses: ReadonlySet<string> = new Set([
  OrchestrationRuntimeStatus.Completed,
  OrchestrationRuntimeStatus.Failed,
  OrchestrationRuntimeStatus.Terminated,
  OrchestrationRuntimeStatus.Canceled,
]);

/** Completed, Failed, Terminated and Canceled instances take no more events and may be started afresh. */
export function isTerminal(status: Pick<DurableOrchestrationStatus, "runtimeStatus">): boolean {
  return terminalStatuses.has(status.runtimeStatus);
}

/**
 * The status of an instance, or undefined when there is none. durable-functions v3 rejects
 * getStatus for an unknown id with a plain Error that carries no status code; rather than parse
 * its wording, this asks the extension's status endpoint, whose 404 is the documented contract.
 * The extra request happens only on that rejection path.
 */
export async function findInstance(
  client: DurableClient,
  context: InvocationContext,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: true });
  } catch (error) {
    const probe = await fetch(statusUrl(context, instanceId), { signal: AbortSignal.timeout(10_000) });
    await probe.body?.cancel();
    if (probe.status === 404) return undefined;
    throw error;
  }
}

interface DurableClientBindingData {
  rpcBaseUrl?: string;
  managementUrls: { id: string; statusQueryGetUri: string };
}

/** The same endpoint the SDK's getStatus calls: the extension's local RPC base where it exists. */
function statusUrl(context: InvocationContext, instanceId: string): string {
  const binding = context.options.extraInputs.find((input) => input.type === "durableClient");
  const data = binding === undefined ? undefined : (context.extraInputs.get(binding) as DurableClientBindingData | undefined);
  if (data === undefined) throw new Error("The durable client binding data is missing.");
  const id = encodeURIComponent(instanceId);
  if (data.rpcBaseUrl !== undefined && data.rpcBaseUrl !== "") {
    return new URL(`instances/${id}`, data.rpcBaseUrl).href;
  }
  return data.managementUrls.statusQueryGetUri.replace(data.managementUrls.id, id);
}

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Reads the instance's status until `done` returns a value or the time is up (undefined). Used
 * where an HTTP caller wants a result rather than a 202 and a status URL.
 */
export async function pollStatus<T>(
  client: DurableClient,
  instanceId: string,
  options: PollOptions,
  done: (status: DurableOrchestrationStatus) => T | undefined,
  onEachMiss?: (elapsedMs: number) => Promise<void>,
): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const result = done(await client.getStatus(instanceId));
    if (result !== undefined) return result;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) return undefined;
    if (onEachMiss !== undefined) await onEachMiss(elapsed);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs, options.timeoutMs - elapsed)));
  }
}
