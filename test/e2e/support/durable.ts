import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./localHostProcess.js";
import { del, describeResult, expectStatus, get, jsonObject, post, type HttpResult, type SendOptions } from "./http.js";
import { pollUntil, type PollOptions } from "./poll.js";
import type { E2eTarget } from "./e2eTarget.js";

/**
 * The Durable built-in HTTP API as the tests use it: the check-status payload the starters answer
 * with, and the instance status, event, terminate, suspend and purge URLs derived from it, so that
 * the tests reach the task hub exactly as a caller of the app would (whatever hub, connection and
 * system key the host put in them).
 */

export const CHECK_STATUS_KEYS = [
  "id",
  "statusQueryGetUri",
  "sendEventPostUri",
  "terminatePostUri",
  "rewindPostUri",
  "purgeHistoryDeleteUri",
  "restartPostUri",
  "suspendPostUri",
  "resumePostUri",
] as const;

export type CheckStatusPayload = Record<(typeof CHECK_STATUS_KEYS)[number], string>;

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Canceled" | "Terminated" | "Suspended";

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export function isTerminal(status: InstanceStatus): boolean {
  return TERMINAL.has(status.runtimeStatus);
}

/**
 * Asserts a starter's answer as README documents it (createCheckStatusResponse): 202, a JSON body
 * with exactly the nine management URLs for the instance on the caller's origin, Location equal to
 * statusQueryGetUri and Retry-After: 10. Returns the payload.
 */
export function expectCheckStatusResponse(result: HttpResult, target: E2eTarget, instanceId?: string): CheckStatusPayload {
  expectStatus(result, 202);
  const body = jsonObject(result);
  const context = describeResult(result);
  expect(Object.keys(body).sort(), context).toEqual([...CHECK_STATUS_KEYS].sort());
  for (const key of CHECK_STATUS_KEYS) expect(typeof body[key], `${key}: ${context}`).toBe("string");
  const payload = body as CheckStatusPayload;
  if (instanceId !== undefined) expect(payload.id, context).toBe(instanceId);
  expect(payload.id, context).not.toBe("");

  // The SDK puts the id in as it is (ids are plain ASCII: letters, digits and _ . : ~ -).
  const instancePath = `/runtime/webhooks/durabletask/instances/${payload.id}`;
  const expectedPaths: Record<Exclude<(typeof CHECK_STATUS_KEYS)[number], "id">, string> = {
    statusQueryGetUri: instancePath,
    purgeHistoryDeleteUri: instancePath,
    sendEventPostUri: `${instancePath}/raiseEvent/{eventName}`,
    terminatePostUri: `${instancePath}/terminate`,
    rewindPostUri: `${instancePath}/rewind`,
    restartPostUri: `${instancePath}/restart`,
    suspendPostUri: `${instancePath}/suspend`,
    resumePostUri: `${instancePath}/resume`,
  };
  for (const [key, expectedPath] of Object.entries(expectedPaths)) {
    const uri = payload[key as keyof CheckStatusPayload];
    // The template parts ({eventName}, {text}) are literal, so compare text rather than parsed URLs.
    expect(uri.startsWith(`${target.baseUrl}${expectedPath}?`), `${key} = ${uri}: ${context}`).toBe(true);
  }
  const statusQuery = new URL(payload.statusQueryGetUri).searchParams;
  expect(statusQuery.get("connection"), context).toBe(storageConnectionName());
  if (target.taskHub !== undefined) expect(statusQuery.get("taskHub"), context).toBe(target.taskHub);
  else expect(statusQuery.get("taskHub"), context).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
  expect(payload.terminatePostUri, context).toContain("reason={text}");

  expect(result.headers.get("location"), context).toBe(payload.statusQueryGetUri);
  expect(result.headers.get("retry-after"), context).toBe("10");
  expect(result.headers.get("content-type"), context).toMatch(/^application\/json\b/);
  return payload;
}

/**
 * The connection name the management URLs carry: the extension names the storage provider's
 * connection, host.json's extensions.durableTask.storageProvider.connectionName, and "Storage" only
 * when that is not set (AzureStorageDurabilityProviderFactory in azure-functions-durable-extension).
 */
function storageConnectionName(): string {
  const hostJson = JSON.parse(readFileSync(path.join(REPO_ROOT, "host.json"), "utf8")) as {
    extensions?: { durableTask?: { storageProvider?: { connectionName?: unknown } } };
  };
  const configured = hostJson.extensions?.durableTask?.storageProvider?.connectionName;
  return typeof configured === "string" && configured !== "" ? configured : "Storage";
}

/** One read of the status endpoint: 404 is undefined, 200/202 a status, anything else fails. */
export async function readStatus(statusUri: string): Promise<InstanceStatus | undefined> {
  const result = await get(statusUri);
  if (result.status === 404) return undefined;
  if (result.status !== 200 && result.status !== 202) throw new Error(`Unexpected status answer.\n${describeResult(result)}`);
  return statusFrom(result);
}

export function statusFrom(result: HttpResult): InstanceStatus {
  const body = jsonObject(result);
  if (typeof body.runtimeStatus !== "string" || typeof body.instanceId !== "string") {
    throw new Error(`Not an orchestration status.\n${describeResult(result)}`);
  }
  return body as unknown as InstanceStatus;
}

/** Polls the status URL until `done` holds; the failure shows the last status seen. */
export async function waitForStatus(
  statusUri: string,
  what: string,
  done: (status: InstanceStatus) => boolean,
  options?: PollOptions,
): Promise<InstanceStatus> {
  const status = await pollUntil(`${what} (${statusUri})`, () => readStatus(statusUri), (seen) => seen !== undefined && done(seen), options);
  if (status === undefined) throw new Error("unreachable: the poll ends only on a status");
  return status;
}

/** Waits until the instance has finished (Completed, Failed, Terminated or Canceled). */
export function waitForEnd(statusUri: string, options?: PollOptions): Promise<InstanceStatus> {
  return waitForStatus(statusUri, "the instance to finish", isTerminal, options);
}

/** Waits until the instance has completed and returns its status; a Failed or Terminated one fails at once. */
export async function waitForCompletion(statusUri: string, options?: PollOptions): Promise<InstanceStatus> {
  const status = await waitForEnd(statusUri, options);
  expect(status.runtimeStatus, `final status: ${JSON.stringify(status)}`).toBe("Completed");
  return status;
}

/** The same management URL for another instance id (e.g. one that does not exist). */
export function forInstance(uri: string, payload: CheckStatusPayload, instanceId: string): string {
  const from = `/instances/${payload.id}`;
  const index = uri.indexOf(from);
  if (index < 0) throw new Error(`${uri} does not name the instance '${payload.id}'.`);
  return `${uri.slice(0, index)}/instances/${instanceId}${uri.slice(index + from.length)}`;
}

export function raiseEventUri(payload: CheckStatusPayload, eventName: string): string {
  return payload.sendEventPostUri.replace("{eventName}", encodeURIComponent(eventName));
}

export function withReason(uriTemplate: string, reason: string): string {
  return uriTemplate.replace("{text}", encodeURIComponent(reason));
}

/** POST sendEventPostUri with the event's JSON data. */
export function raiseEvent(payload: CheckStatusPayload, eventName: string, data: unknown, options?: SendOptions): Promise<HttpResult> {
  return post(raiseEventUri(payload, eventName), { ...options, json: data });
}

export function terminate(payload: CheckStatusPayload, reason: string): Promise<HttpResult> {
  return post(withReason(payload.terminatePostUri, reason));
}

export function purge(payload: CheckStatusPayload): Promise<HttpResult> {
  return del(payload.purgeHistoryDeleteUri);
}

/**
 * Terminates an instance a test left running (an eternal counter, a waiting approval), so that a
 * shared task hub (E2E_BASE_URL) is not left with work that never ends. Best effort: it may have
 * ended already (410), and a failure here must not hide the test's own result.
 */
export async function terminateQuietly(payload: CheckStatusPayload): Promise<void> {
  await terminate(payload, "e2e test cleanup").catch(() => undefined);
}

/**
 * The built-in API's base (…/runtime/webhooks/durabletask) and the query (taskHub, connection,
 * code) that every one of its URLs needs, taken from a check-status payload.
 */
export function webhookApi(payload: CheckStatusPayload): { base: string; query: URLSearchParams } {
  const url = new URL(payload.statusQueryGetUri);
  const marker = "/instances/";
  const base = `${url.origin}${url.pathname.slice(0, url.pathname.indexOf(marker))}`;
  return { base, query: url.searchParams };
}

/** GET …/entities/{name}/{key}: the entity's state, or 404 when it does not exist. */
export function entityStateUri(payload: CheckStatusPayload, entityName: string, key: string): string {
  const { base, query } = webhookApi(payload);
  return `${base}/entities/${encodeURIComponent(entityName)}/${encodeURIComponent(key)}?${query.toString()}`;
}

/** GET …/instances?…: the instance list query, with extra filters such as createdTimeFrom. */
export function instancesQueryUri(payload: CheckStatusPayload, filters: Record<string, string>): string {
  const { base, query } = webhookApi(payload);
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  return `${base}/instances?${params.toString()}`;
}
