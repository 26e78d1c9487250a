import type { InvocationContext } from "@azure/functions";
import type { TelemetryClient } from "applicationinsights";
import type { SpanContext } from "@opentelemetry/api";
import { appInsightsConnectionString } from "./settings.js";
import type { MetricName, TelemetryEventName } from "./names.js";

/**
 * Application Insights custom events and metrics, only where they are configured: loading
 * applicationinsights adds about half a second to a cold start, so without
 * APPLICATIONINSIGHTS_CONNECTION_STRING it is never loaded and every call here returns at once.
 *
 * Events carry the invocation's W3C trace context, so they appear under the HTTP request (or the
 * orchestration, which Durable distributed tracing ties to the request that started it) that
 * caused them. Callers emit them where code runs once: HTTP handlers, activities, and orchestrator
 * code guarded by `!isReplaying`. Telemetry never fails the work it describes: every error in here
 * is reported once on the console and swallowed.
 */

interface ActiveTelemetry {
  client: TelemetryClient;
  otel: typeof import("@opentelemetry/api");
}

/** Set once telemetry is configured; events tracked while it loads wait for it instead of being lost. */
let starting: Promise<ActiveTelemetry | undefined> | undefined;

export function startTelemetry(): Promise<boolean> {
  const connectionString = appInsightsConnectionString();
  if (connectionString === undefined) return Promise.resolve(false);
  starting ??= load(connectionString);
  return starting.then((telemetry) => telemetry !== undefined);
}

async function load(connectionString: string): Promise<ActiveTelemetry | undefined> {
  try {
    // import() of a CommonJS package gives a namespace whose named exports were copied when it
    // loaded; setup() assigns defaultClient later, so only `default` (module.exports) sees it.
    const appInsights = (await import("applicationinsights")).default;
    const otel = await import("@opentelemetry/api");
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
    return { client: appInsights.defaultClient, otel };
  } catch (error) {
    reportFailure(error);
    return undefined;
  }
}

export type TelemetryProperties = Record<string, string>;
export type TelemetryMeasurements = Record<string, number>;

export function trackEvent(
  context: InvocationContext,
  name: TelemetryEventName,
  properties: TelemetryProperties,
  measurements: TelemetryMeasurements = {},
): void {
  if (starting === undefined) return;
  // Read now: the context belongs to this invocation, which may be over by the time telemetry is ready.
  const spanContext = spanContextOf(context);
  whenReady((telemetry) => {
    const record = (): void => {
      telemetry.client.trackEvent({ name, properties, measurements });
    };
    if (spanContext === undefined) {
      record();
      return;
    }
    const { otel } = telemetry;
    otel.context.with(otel.trace.setSpanContext(otel.context.active(), spanContext), record);
  });
}

/** A value aggregated by Application Insights (count, sum, min, max per minute and dimension). */
export function trackMetric(name: MetricName, value: number, properties: TelemetryProperties = {}): void {
  if (starting === undefined) return;
  whenReady((telemetry) => {
    telemetry.client.trackMetric({ name, value, properties });
  });
}

/** Sends what is buffered and shuts the exporters down, so that nothing keeps the process alive. */
export async function stopTelemetry(): Promise<void> {
  const telemetry = await starting;
  starting = undefined;
  if (telemetry === undefined) return;
  try {
    await telemetry.client.flush();
    await telemetry.client.shutdown();
  } catch (error) {
    reportFailure(error);
  }
}

function whenReady(send: (telemetry: ActiveTelemetry) => void): void {
  void starting?.then((telemetry) => {
    if (telemetry === undefined) return;
    try {
      send(telemetry);
    } catch (error) {
      reportFailure(error);
    }
  });
}

const traceParentPattern = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

function spanContextOf(context: InvocationContext): SpanContext | undefined {
  const [, traceId, spanId, flags] = traceParentPattern.exec(context.traceContext?.traceParent ?? "") ?? [];
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
}

let failureReported = false;

function reportFailure(error: unknown): void {
  if (failureReported) return;
  failureReported = true;
  console.error("Application Insights telemetry failed; the app goes on without it.", error);
}
