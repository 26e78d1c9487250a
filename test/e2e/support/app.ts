import { randomBytes } from "node:crypto";
import { post, type HttpResult, type SendOptions } from "./http.js";
import { expectCheckStatusResponse, type CheckStatusPayload } from "./durable.js";
import type { E2eTarget } from "./e2eTarget.js";

/**
 * The app's own routes as several test files call them, so that a route's spelling lives in one
 * place. Ids are unique per run, because against E2E_BASE_URL every run shares one task hub.
 */

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/** POST /api/orchestrators/{name}[/{instanceId}] with a JSON body (or none). */
export function startOrchestration(
  target: E2eTarget,
  name: string,
  options: { instanceId?: string } & SendOptions = {},
): Promise<HttpResult> {
  const { instanceId, ...send } = options;
  const path = `/api/orchestrators/${encodeURIComponent(name)}${instanceId === undefined ? "" : `/${encodeURIComponent(instanceId)}`}`;
  return post(target.url(path), send);
}

/** Starts an orchestration and asserts the README's check-status answer; returns its payload. */
export async function startAndCheck(
  target: E2eTarget,
  name: string,
  options: { instanceId?: string } & SendOptions = {},
): Promise<CheckStatusPayload> {
  return expectCheckStatusResponse(await startOrchestration(target, name, options), target, options.instanceId);
}

/** POST /api/e3counter/{id}/{op}, optionally with an Idempotency-Key. */
export function e3Operation(target: E2eTarget, instanceId: string, op: string, idempotencyKey?: string): Promise<HttpResult> {
  return post(target.url(`/api/e3counter/${encodeURIComponent(instanceId)}/${encodeURIComponent(op)}`), {
    ...(idempotencyKey === undefined ? {} : { headers: { "Idempotency-Key": idempotencyKey } }),
  });
}

export function e3CounterUrl(target: E2eTarget, instanceId: string): string {
  return target.url(`/api/e3counter/${encodeURIComponent(instanceId)}`);
}

/** POST /api/approvals/{id}/decision. */
export function decide(target: E2eTarget, instanceId: string, decision: unknown): Promise<HttpResult> {
  return post(target.url(`/api/approvals/${encodeURIComponent(instanceId)}/decision`), { json: decision });
}

/** /api/counter[/{id}[/{operation}]], with an optional query string. */
export function counterUrl(target: E2eTarget, segments: string[], query: Record<string, string> = {}): string {
  const path = ["/api/counter", ...segments.map(encodeURIComponent)].join("/");
  const search = new URLSearchParams(query).toString();
  return target.url(search === "" ? path : `${path}?${search}`);
}
