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
 *
 * The probe's answer is authoritative, not just a check on the error: between the two requests
 * another caller may have started the instance (getStatus saw 404, the probe sees 202), and
 * re-throwing the first answer would turn "exists" into a 500. So 404 means none, 200 or 202
 * carries the status as it is now, and any other answer leaves the original error standing.
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
    if (probe.status === 200 || probe.status === 202) return statusFromBody(await probe.json(), instanceId);
    await probe.body?.cancel();
    if (probe.status === 404) return undefined;
    throw error;
  }
}

/** DurableOrchestrationStatus's fields as a plain object type: the SDK's class has no methods or private state. */
type OrchestrationStatusFields = { [K in keyof DurableOrchestrationStatus]: DurableOrchestrationStatus[K] };

const runtimeStatuses: ReadonlyMap<string, df.OrchestrationRuntimeStatus> = new Map(
  Object.values(OrchestrationRuntimeStatus).map((status) => [status, status]),
);

/**
 * The status endpoint's JSON as getStatus would return it. durable-functions declares
 * DurableOrchestrationStatus as a class but does not export it at run time, so this builds an
 * object of the same shape, with the SDK's checks and the two times as Dates.
 */
function statusFromBody(body: unknown, instanceId: string): DurableOrchestrationStatus {
  const notAStatus = new Error(`The status endpoint answered for '${instanceId}' with a body that is not an orchestration status.`);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw notAStatus;
  const json = body as Record<string, unknown>;
  const { name, createdTime, lastUpdatedTime } = json;
  const runtimeStatus = typeof json.runtimeStatus === "string" ? runtimeStatuses.get(json.runtimeStatus) : undefined;
  if (
    typeof name !== "string" ||
    typeof json.instanceId !== "string" ||
    typeof createdTime !== "string" ||
    typeof lastUpdatedTime !== "string" ||
    runtimeStatus === undefined
  ) {
    throw notAStatus;
  }
  const status: OrchestrationStatusFields = {
    name,
    instanceId: json.instanceId,
    createdTime: new Date(createdTime),
    lastUpdatedTime: new Date(lastUpdatedTime),
    input: json.input,
    output: json.output,
    runtimeStatus,
    customStatus: json.customStatus,
    history: Array.isArray(json.history) ? (json.history as unknown[]) : undefined,
  };
  return status;
}

interface DurableClientBindingData {
  rpcBaseUrl?: string;
  managementUrls: { id: string; statusQueryGetUri: string };
}

/** The same endpoint and query the SDK's getStatus(id, { showInput: true }) uses: the extension's local RPC base where it exists. */
function statusUrl(context: InvocationContext, instanceId: string): string {
  const binding = context.options.extraInputs.find((input) => input.type === "durableClient");
  const data = binding === undefined ? undefined : (context.extraInputs.get(binding) as DurableClientBindingData | undefined);
  if (data === undefined) throw new Error("The durable client binding data is missing.");
  const id = encodeURIComponent(instanceId);
  if (data.rpcBaseUrl !== undefined && data.rpcBaseUrl !== "") {
    return new URL(`instances/${id}?showInput=true`, data.rpcBaseUrl).href;
  }
  // The webhook's status query shows the input unless told otherwise.
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
