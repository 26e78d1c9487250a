import type { InvocationContext } from "@azure/functions";
import type { TelemetryClient } from "applicationinsights";
import { appInsightsConnectionString } from "./settings.js";
import type { MetricName, TelemetryEventName } from "./names.js";

/**
 * Application Insights custom events and metrics, only where they are configured: requiring
 * applicationinsights adds about half a second to a cold start, so without
 * APPLICATIONINSIGHTS_CONNECTION_STRING it is never loaded and every call here returns at once.
 *
 * Events carry the invocation's W3C trace context, so they appear under the HTTP request (or the
 * orchestration, which Durable distributed tracing ties to the request that started it) that
 * caused them. Callers emit them where code runs once: HTTP handlers, activities, and orchestrator
 * code guarded by `!isReplaying`.
 */

interface ActiveTelemetry {
  client: TelemetryClient;
  otel: typeof import("@opentelemetry/api");
}

let active: ActiveTelemetry | undefined;

export async function startTelemetry(): Promise<boolean> {
  const connectionString = appInsightsConnectionString();
  if (connectionString === undefined) return false;
  if (active !== undefined) return true;
  const [appInsights, otel] = await Promise.all([import("applicationinsights"), import("@opentelemetry/api")]);
  // The Functions host already records requests, dependencies, logs and performance counters;
  // collecting them again in the worker would only duplicate them.
  appInsights
    .setup(connectionString)
    .setAutoCollectRequests(false)
    .setAutoCollectDependencies(false)
    .setAutoCollectConsole(false)
    .setAutoCollectPerformance(false, false)
    .setSendLiveMetrics(false)
    .start();
  active = { client: appInsights.defaultClient, otel };
  return true;
}

export type TelemetryProperties = Record<string, string>;
export type TelemetryMeasurements = Record<string, number>;

export function trackEvent(
  context: InvocationContext,
  name: TelemetryEventName,
  properties: TelemetryProperties,
  measurements: TelemetryMeasurements = {},
): void {
  const telemetry = active;
  if (telemetry === undefined) return;
  withInvocationTrace(telemetry, context, () => {
    telemetry.client.trackEvent({ name, properties, measurements });
  });
}

/** A value aggregated by Application Insights (count, sum, min, max per minute and dimension). */
export function trackMetric(name: MetricName, value: number, properties: TelemetryProperties = {}): void {
  active?.client.trackMetric({ name, value, properties });
}

/** Sends what is buffered: call before a process that must not lose telemetry exits. */
export async function flushTelemetry(): Promise<void> {
  await active?.client.flush();
}

/** Flushes and shuts the exporters down, so that nothing keeps the process alive. */
export async function stopTelemetry(): Promise<void> {
  const telemetry = active;
  active = undefined;
  if (telemetry === undefined) return;
  await telemetry.client.flush();
  await telemetry.client.shutdown();
}

const traceParentPattern = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

function withInvocationTrace(telemetry: ActiveTelemetry, context: InvocationContext, record: () => void): void {
  const match = traceParentPattern.exec(context.traceContext?.traceParent ?? "");
  const [, traceId, spanId, flags] = match ?? [];
  if (traceId === undefined || spanId === undefined || flags === undefined) {
    record();
    return;
  }
  const { otel } = telemetry;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  otel.context.with(otel.trace.setSpanContext(otel.context.active(), spanContext), record);
}
