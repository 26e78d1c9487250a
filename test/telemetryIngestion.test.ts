import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "selfsigned";
import { invocationContext, invokeDurableHttpHandler, invokeHttp, loadApp, registeredFunction } from "./support/functionsHost.js";
import { useFakeDurableExtension, type FakeInstance, type RaisedEvent } from "./support/fakeDurableExtension.js";
import { isTimer, OrchestrationRun, type EpisodeResult, type ScheduledTask } from "./support/orchestrationReplay.js";
import { startTelemetry, stopTelemetry } from "../src/telemetry.js";
import { createE3OperationHandler } from "../src/functions/e3Counter.js";
import { withJsonErrors } from "../src/http/jsonResponses.js";
import { ActivityNames, MetricNames, OrchestratorNames, TelemetryEventNames } from "../src/names.js";
import type { ApprovalOutcome } from "../src/logic/approval.js";

/**
 * Application Insights for real: the SDK sends to an ingestion endpoint served here on 127.0.0.1
 * (the connection string's IngestionEndpoint), and the test reads the envelopes it receives. The
 * exporter insists on https, so the endpoint has a throwaway self-signed certificate, and this test
 * file (its own process) stops verifying certificates for its loopback calls.
 */

interface Envelope {
  name: string;
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: {
      name?: string;
      properties?: Record<string, string>;
      measurements?: Record<string, number>;
      metrics?: { name: string; value: number; count: number }[];
    };
  };
}

const ORIGIN = "https://patterns.example.net";
const received: Envelope[] = [];
let ingestion: Server;
const fake = useFakeDurableExtension();
const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

/** A W3C traceparent as the Functions host passes it with each invocation. */
function traceParent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

const HTTP_TRACE = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" };
const E3_TRACE = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
const APPROVAL_TRACE = { traceId: "5e1c0f6d3b2a41e8a7d9c4b3a2f10e9d", spanId: "1a2b3c4d5e6f7081" };

beforeAll(async () => {
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], { notAfterDate: new Date(Date.now() + 24 * 60 * 60 * 1000) });
  ingestion = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const text = (request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8");
      const envelopes = JSON.parse(text) as Envelope[];
      received.push(...envelopes);
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, "127.0.0.1", resolve));
  const { port } = ingestion.address() as AddressInfo;

  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  process.env.APPLICATIONINSIGHTS_CONNECTION_STRING =
    `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`;
  await loadApp();
  expect(await startTelemetry()).toBe(true);
});

afterAll(async () => {
  // Flush and shut the exporters down: otherwise they keep retrying and the process lingers.
  await stopTelemetry();
  await new Promise<void>((resolve) => ingestion.close(() => resolve()));
  delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
});

function events(name: string): Envelope[] {
  return received.filter((envelope) => envelope.data.baseType === "EventData" && envelope.data.baseData.name === name);
}

function metric(name: string): { value: number; count: number }[] {
  return received
    .filter((envelope) => envelope.data.baseType === "MetricData")
    .flatMap((envelope) => envelope.data.baseData.metrics ?? [])
    .filter((point) => point.name === name);
}

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Telemetry did not arrive; received: ${JSON.stringify(received.map((e) => e.data.baseData.name ?? e.name))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function onlyTask(episode: EpisodeResult): ScheduledTask {
  const [task, ...others] = episode.newTasks;
  if (task === undefined || others.length > 0) throw new Error(`Expected one new task, got ${episode.newTasks.length}.`);
  return task;
}

/** Plays E3_Counter's part: confirms the operation with the value right after it. */
function confirmIncrement(target: FakeInstance, event: RaisedEvent): void {
  const { id } = event.data as { id: string };
  const status = target.customStatus as { value: number; generation: string; confirmedOps: [string, number][] };
  target.customStatus = { ...status, value: status.value + 1, confirmedOps: [...status.confirmedOps, [id, status.value + 1]] };
}

describe("Application Insights telemetry through a local ingestion endpoint", () => {
  it("sends one correlated event per counter operation, E3 operation, approval decision and monitor check", async () => {
    // A counter signal over HTTP, inside the HTTP request's trace.
    const signalled = await invokeHttp(
      "CounterUpdate",
      { method: "POST", url: `${ORIGIN}/api/counter/apples/add?value=3`, params: { target: "apples", operation: "add" }, query: { value: "3" } },
      fake.clientData(),
      [],
      traceParent(HTTP_TRACE.traceId, HTTP_TRACE.spanId),
    );
    expect(signalled.status).toBe(202);

    // An exactly-once E3 operation, confirmed by the (played) counter.
    fake.addInstance({
      name: OrchestratorNames.counter,
      instanceId: "c1",
      customStatus: { value: 4, generation: "2026-01-05T09:00:00.000Z", confirmedOps: [] },
    });
    fake.onRaiseEvent = confirmIncrement;
    const incremented = await invokeDurableHttpHandler(
      "E3CounterOperation",
      withJsonErrors(createE3OperationHandler({ pollMs: 10, timeoutMs: 2_000, firstResendGapMs: 0 })),
      { method: "POST", url: `${ORIGIN}/api/e3counter/c1/incr`, params: { instanceId: "c1", op: "incr" } },
      fake.clientData(),
      [],
      traceParent(E3_TRACE.traceId, E3_TRACE.spanId),
    );
    expect(incremented).toMatchObject({ status: 200, body: { instanceId: "c1", value: 5 } });

    // Two approval decisions, as the activities report them.
    for (const [activity, outcome] of [
      [ActivityNames.handleApproval, { status: "approved", amount: 1200, requester: "ana", decidedBy: "ben", decidedAt: "", waitedMs: 90_000 }],
      [ActivityNames.escalate, { status: "escalated", amount: 50, requester: "ana", decidedAt: "", waitedMs: 259_200_000 }],
    ] as [string, ApprovalOutcome][]) {
      const fn = registeredFunction(activity);
      await fn.handler(outcome, invocationContext(fn, [], undefined, traceParent(APPROVAL_TRACE.traceId, APPROVAL_TRACE.spanId)));
    }

    // A monitor that checks twice, replayed episode after episode.
    const run = new OrchestrationRun(OrchestratorNames.monitor, { url: "https://example.com/health", expect: { status: 200 } });
    await run.start();
    await run.deliver(run.activityCompleted(run.task((action) => action.functionName === ActivityNames.checkEndpoint), { status: 503 }));
    const secondCheck = await run.deliver(run.timerFired(run.task(isTimer)));
    const met = await run.deliver(run.activityCompleted(onlyTask(secondCheck), { status: 200 }));
    await run.deliver(run.activityCompleted(onlyTask(met), null));
    expect(run.last?.output).toEqual({ status: "met", checks: 2 });

    // Flushes everything buffered (events and the pre-aggregated metrics) and shuts the exporters down.
    await stopTelemetry();
    await waitUntil(
      () =>
        events(TelemetryEventNames.monitorCheck).length >= 2 &&
        events(TelemetryEventNames.approvalDecided).length >= 2 &&
        events(TelemetryEventNames.e3CounterOperation).length >= 1 &&
        events(TelemetryEventNames.counterOperation).length >= 1 &&
        metric(MetricNames.approvalTimeToDecideMs).length > 0 &&
        metric(MetricNames.e3ConfirmationMs).length > 0,
    );

    const [counterEvent, ...extraCounterEvents] = events(TelemetryEventNames.counterOperation);
    expect(extraCounterEvents).toEqual([]);
    expect(counterEvent?.data.baseData).toMatchObject({
      properties: { counterId: "apples", operation: "add", outcome: "signalled" },
      measurements: { amount: 3 },
    });
    expect(counterEvent?.tags).toMatchObject({ "ai.operation.id": HTTP_TRACE.traceId, "ai.operation.parentId": HTTP_TRACE.spanId });

    const [e3Event, ...extraE3Events] = events(TelemetryEventNames.e3CounterOperation);
    expect(extraE3Events).toEqual([]);
    expect(e3Event?.data.baseData.properties).toMatchObject({ instanceId: "c1", operation: "incr", outcome: "applied" });
    expect(e3Event?.data.baseData.measurements?.raises).toBe(1);
    expect(e3Event?.tags).toMatchObject({ "ai.operation.id": E3_TRACE.traceId });

    const decisions = events(TelemetryEventNames.approvalDecided);
    expect(decisions.map((event) => event.data.baseData.properties?.status).sort()).toEqual(["approved", "escalated"]);
    expect(decisions.map((event) => event.data.baseData.measurements?.timeToDecideMs).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      90_000, 259_200_000,
    ]);
    for (const decision of decisions) {
      expect(decision.tags["ai.operation.id"]).toBe(APPROVAL_TRACE.traceId);
      // Names stay out of telemetry.
      expect(JSON.stringify(decision.data)).not.toContain("ana");
    }

    // Exactly one event per check although the first check was replayed in three later episodes.
    const monitorChecks = events(TelemetryEventNames.monitorCheck).map((event) => event.data.baseData);
    expect(monitorChecks).toEqual([
      expect.objectContaining({ properties: { instanceId: run.instanceId, conditionMet: "false", status: "503" }, measurements: { checks: 1 } }),
      expect.objectContaining({ properties: { instanceId: run.instanceId, conditionMet: "true", status: "200" }, measurements: { checks: 2 } }),
    ]);

    expect(metric(MetricNames.approvalTimeToDecideMs).reduce((count, point) => count + point.count, 0)).toBe(2);
    expect(metric(MetricNames.e3ConfirmationMs).reduce((count, point) => count + point.count, 0)).toBe(1);
  });
});

describe("the compiled app's telemetry under plain Node", () => {
  // Vitest loads packages its own way; the Functions worker loads dist/ with Node's CommonJS and
  // ESM loaders, where import() of a CommonJS package behaves differently. So compile, and run it.
  let buildDir: string;

  beforeAll(() => {
    // Inside node_modules so that the compiled files resolve the app's packages as dist/ does.
    mkdirSync(path.resolve("node_modules/.cache"), { recursive: true });
    buildDir = mkdtempSync(path.resolve("node_modules/.cache/telemetry-build-"));
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--outDir", buildDir], { stdio: "pipe" });
  }, 60_000);

  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
  });

  it("sends a correlated event and a metric from dist's telemetry module", async () => {
    const script = `
      const telemetry = require(${JSON.stringify(path.join(buildDir, "telemetry.js"))});
      (async () => {
        const context = { traceContext: { traceParent: ${JSON.stringify(traceParent(HTTP_TRACE.traceId, HTTP_TRACE.spanId))} } };
        const started = telemetry.startTelemetry(); // as index.ts does at load, not awaited
        telemetry.trackEvent(context, "CounterOperation", { counterId: "compiled", operation: "add", outcome: "signalled" }, { amount: 7 });
        if (!(await started)) throw new Error("telemetry did not start");
        telemetry.trackMetric("E3OperationConfirmationMs", 5, { operation: "compiled" });
        await telemetry.stopTelemetry();
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const { port } = ingestion.address() as AddressInfo;
    const env = {
      ...process.env,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint=https://127.0.0.1:${port}/`,
      NODE_TLS_REJECT_UNAUTHORIZED: "0",
    };
    // Asynchronous, so that this process's ingestion server can answer the child.
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["-e", script], { env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("exit", (code) => {
        if (code !== 0) reject(new Error(`The compiled telemetry failed (exit ${String(code)}): ${stderr}`));
        else resolve(code);
      });
    });
    expect(exitCode).toBe(0);

    await waitUntil(() => events(TelemetryEventNames.counterOperation).some((event) => event.data.baseData.properties?.counterId === "compiled"));
    const compiled = events(TelemetryEventNames.counterOperation).find((event) => event.data.baseData.properties?.counterId === "compiled");
    // Tracked before the module had loaded, yet sent, with the invocation's trace.
    expect(compiled?.data.baseData.measurements).toEqual({ amount: 7 });
    expect(compiled?.tags).toMatchObject({ "ai.operation.id": HTTP_TRACE.traceId, "ai.operation.parentId": HTTP_TRACE.spanId });
    await waitUntil(() => metric(MetricNames.e3ConfirmationMs).length >= 2);
  }, 60_000);
});
