import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { ActivityNames, OrchestratorNames, TelemetryEventNames } from "../names.js";
import { trackEvent } from "../telemetry.js";
import {
  isConditionMet,
  nextCheckTime,
  refuseMonitorUrl,
  urlForLog,
  validateMonitorRequest,
  type EndpointObservation,
  type MonitorProgress,
  type MonitorRequest,
  type MonitorResult,
} from "../logic/monitor.js";
import { monitorAllowedHosts } from "../settings.js";

/**
 * Monitoring: check an endpoint, alert and stop when the condition holds, otherwise sleep on a
 * durable timer until the next check or until the monitor expires. It continues as new every
 * CHECKS_PER_GENERATION checks so that a long monitor keeps a short history.
 */

export const CHECKS_PER_GENERATION = 20;
export const CHECK_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES_READ = 1024 * 1024;

/** What a continued generation carries besides the request itself. */
interface MonitorContinuation {
  expiresAt: string;
  checks: number;
}

export interface CheckRequest {
  url: string;
  bodyContains?: string;
}

const monitor: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<MonitorRequest & Partial<MonitorContinuation>>();
  // The allowed-hosts setting is enforced by CheckEndpoint, which may read settings; replay may not.
  const request = validateMonitorRequest(input, undefined);
  const startedAt = context.df.currentUtcDateTime;
  const expiresAt = new Date(input.expiresAt ?? startedAt.getTime() + request.expiryMinutes * 60_000);
  let checks = input.checks ?? 0;

  for (let checksThisGeneration = 0; ; checksThisGeneration++) {
    if (checksThisGeneration === CHECKS_PER_GENERATION) {
      context.df.continueAsNew({ ...request, expiresAt: expiresAt.toISOString(), checks } satisfies MonitorRequest & MonitorContinuation);
      return undefined;
    }
    const check: CheckRequest = { url: request.url, ...(request.expect.bodyContains === undefined ? {} : { bodyContains: request.expect.bodyContains }) };
    const observation = (yield context.df.callActivity(ActivityNames.checkEndpoint, check)) as EndpointObservation;
    checks += 1;
    const met = isConditionMet(request.expect, observation);
    // Like a log line: reported by the episode that saw the result, never by the replays after it.
    if (!context.df.isReplaying) reportCheck(context, observation, met, checks);

    if (met) {
      yield context.df.callActivity(ActivityNames.sendAlert, { url: request.url, observation, checks });
      return { status: "met", checks } satisfies MonitorResult;
    }
    const next = nextCheckTime(context.df.currentUtcDateTime, request.intervalSeconds, expiresAt);
    context.df.setCustomStatus(progress(checks, observation, expiresAt, next));
    if (next === undefined) return { status: "expired", checks } satisfies MonitorResult;
    yield context.df.createTimer(next);
  }
};

function reportCheck(context: OrchestrationContext, observation: EndpointObservation, met: boolean, checks: number): void {
  trackEvent(
    context,
    TelemetryEventNames.monitorCheck,
    {
      instanceId: context.df.instanceId,
      conditionMet: String(met),
      ...(observation.status === undefined ? { error: "no response" } : { status: String(observation.status) }),
    },
    { checks },
  );
}

function progress(checks: number, observation: EndpointObservation, expiresAt: Date, next: Date | undefined): MonitorProgress {
  return {
    checks,
    ...(observation.status === undefined ? {} : { lastStatus: observation.status }),
    ...(observation.error === undefined ? {} : { lastError: observation.error }),
    ...(next === undefined ? {} : { nextCheckAt: next.toISOString() }),
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * One HTTP GET with a timeout; redirects are not followed, so an allowed host cannot bounce elsewhere.
 * The URL's query string may carry a token: what this logs or reports names only origin and path.
 */
export async function checkEndpoint(input: unknown, context: InvocationContext): Promise<EndpointObservation> {
  const { url, bodyContains } = input as CheckRequest;
  const refusal = refuseMonitorUrl(url, monitorAllowedHosts());
  if (refusal !== undefined) throw new Error(refusal);
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    if (bodyContains === undefined) {
      await response.body?.cancel();
      return { status: response.status };
    }
    return { status: response.status, bodyMatched: await bodyStartContains(response, bodyContains, MAX_BODY_BYTES_READ) };
  } catch (error) {
    // The error names the cause (ECONNREFUSED 10.0.0.4:443, a DNS name), never the query string.
    const description = describeFetchError(error);
    context.log(`No response from ${urlForLog(url)}: ${description}`);
    return { error: description };
  }
}

/** fetch says only "fetch failed"; the cause (ECONNREFUSED, a DNS failure, a timeout) is what a person needs. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * Whether the first maxBytes of the body contain the text. Reads only until the text is found or
 * maxBytes have arrived, so a huge or endless body costs neither memory nor the whole timeout.
 */
async function bodyStartContains(response: Response, text: string, maxBytes: number): Promise<boolean> {
  if (response.body === null) return text === "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let body = "";
  let bytesRead = 0;
  try {
    while (bytesRead < maxBytes) {
      const read = await reader.read();
      const chunk = read.value instanceof Uint8Array ? read.value.subarray(0, maxBytes - bytesRead) : undefined;
      bytesRead += chunk?.byteLength ?? 0;
      const searchFrom = Math.max(0, body.length - text.length);
      body += decoder.decode(chunk, { stream: !read.done && bytesRead < maxBytes });
      if (body.includes(text, searchFrom)) return true;
      if (read.done) return false;
    }
    return false;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Where a real app pages someone; here the alert is a warning in the log (and in Application
 * Insights). It names the URL by origin and path only: its query string may carry a token.
 */
export function sendAlert(input: unknown, context: InvocationContext): void {
  const { url, checks } = input as { url: string; checks: number };
  context.warn(`Monitor condition met for ${urlForLog(url)} after ${checks} check(s).`);
}

df.app.orchestration(OrchestratorNames.monitor, monitor);
df.app.activity(ActivityNames.checkEndpoint, { handler: checkEndpoint });
df.app.activity(ActivityNames.sendAlert, { handler: sendAlert });
