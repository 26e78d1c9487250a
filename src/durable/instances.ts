import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableOrchestrationStatus } from "durable-functions";
import { FreshReads } from "./FreshReads.js";

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

export interface StatusQuery {
  /** Whether the instance's input travels too: E3_Counter's carries up to 200 KB of remembered ids. */
  showInput: boolean;
}

/**
 * The status of an instance, or undefined when there is none, read from the Durable extension's
 * status endpoint: the one durable-functions' getStatus calls. The SDK is not used for this
 * because v3's getStatus rejects an unknown id with a plain Error that carries no status code (the
 * only way to tell "no such instance" would be to parse its wording), and because over the
 * extension's local RPC endpoint it cannot leave the input out. The endpoint's answer is the
 * contract: 404 means none, 200 or 202 carries the status.
 *
 * Concurrent calls for the same status URL share one read that started after each of them asked
 * (FreshReads): the endpoint's waiting requests poll one instance together. Callers must not
 * modify the status they get: it may be someone else's too.
 */
export function findInstance(
  context: InvocationContext,
  instanceId: string,
  query: StatusQuery,
): Promise<DurableOrchestrationStatus | undefined> {
  const url = statusUrl(context, instanceId, query);
  return statusReads.read(url, () => readStatus(url, instanceId));
}

const statusReads = new FreshReads<DurableOrchestrationStatus | undefined>();

async function readStatus(url: string, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 200 || response.status === 202) return statusFromBody(await response.json(), instanceId);
  const body = await response.text();
  if (response.status === 404) return undefined;
  throw new Error(`The Durable extension answered ${response.status} for the status of '${instanceId}': ${body.slice(0, 300)}`);
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

/** The extension's local RPC base where the binding offers it (as the SDK prefers), else the webhook. */
function statusUrl(context: InvocationContext, instanceId: string, { showInput }: StatusQuery): string {
  const binding = context.options.extraInputs.find((input) => input.type === "durableClient");
  const data = binding === undefined ? undefined : (context.extraInputs.get(binding) as DurableClientBindingData | undefined);
  if (data === undefined) throw new Error("The durable client binding data is missing.");
  const id = encodeURIComponent(instanceId);
  if (data.rpcBaseUrl !== undefined && data.rpcBaseUrl !== "") {
    return new URL(`instances/${id}?showInput=${showInput}`, data.rpcBaseUrl).href;
  }
  return `${data.managementUrls.statusQueryGetUri.replace(data.managementUrls.id, id)}&showInput=${showInput}`;
}

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Reads the instance's status (without its input) until `done` returns a value or the time is up
 * (undefined). Used where an HTTP caller wants a result rather than a 202. A read that fails counts
 * as one more wait: by then the caller's work is under way, and a 500 would hide whether it landed.
 */
export async function pollStatus<T>(
  context: InvocationContext,
  instanceId: string,
  options: PollOptions,
  done: (status: DurableOrchestrationStatus) => T | undefined,
  onEachMiss?: (elapsedMs: number) => Promise<void>,
): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const status = await findInstance(context, instanceId, { showInput: false }).catch((error: unknown) => {
      context.warn(`Reading the status of '${instanceId}' failed; trying again:`, error instanceof Error ? error.message : error);
      return undefined;
    });
    const result = status === undefined ? undefined : done(status);
    if (result !== undefined) return result;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) return undefined;
    if (onEachMiss !== undefined) await onEachMiss(elapsed);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs, options.timeoutMs - elapsed)));
  }
}
