import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomUUID } from "node:crypto";
import { writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { RealClock } from "../../../devhost/clock/Clock.js";
import { TaskHubClient } from "../../../devhost/client/TaskHubClient.js";
import { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { LocalHostProcess } from "../../e2e/support/localHostProcess.js";
import { pollUntil } from "../../e2e/support/poll.js";
import { buildFixtures, type FixtureBuild } from "../fixtures/support/buildFixtures.js";

/**
 * The engine as a whole, in a host process over Azurite, with a fixture app whose orchestrations
 * make one behaviour each observable: batched delivery and its ContinueAsNew hazard, retries and
 * long timers under time skipping, sub-orchestrations, concurrency limits, large payloads,
 * nondeterminism and failures, and a crash (SIGKILL) in the middle of work.
 */

const connectionString = inject("azuriteConnectionString");
let fixtures: FixtureBuild;

beforeAll(async () => {
  fixtures = await buildFixtures();
}, 120_000);

afterAll(async () => {
  await fixtures.remove();
});

interface Status {
  runtimeStatus: string;
  output: unknown;
  input: unknown;
  customStatus: unknown;
}

async function statusOf(host: LocalHostProcess, instanceId: string): Promise<Status | undefined> {
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`);
  return response.status === 404 ? undefined : ((await response.json()) as Status);
}

const finished = (status: Status | undefined): boolean =>
  status !== undefined && ["Completed", "Failed", "Terminated"].includes(status.runtimeStatus);

async function start(host: LocalHostProcess, name: string, instanceId: string, input?: unknown): Promise<void> {
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/${name}/${instanceId}`, {
    method: "POST",
    ...(input === undefined ? {} : { body: JSON.stringify(input), headers: { "Content-Type": "application/json" } }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
}

async function runToEnd(host: LocalHostProcess, name: string, input?: unknown): Promise<Status> {
  const instanceId = `${name}-${randomUUID()}`;
  await start(host, name, instanceId, input);
  const status = await pollUntil(`${name} to finish`, () => statusOf(host, instanceId), finished, { timeoutMs: 20_000 });
  if (status === undefined) throw new Error("unreachable: finished() implies a status");
  return status;
}

function hostFor(hub: string, options: { clock?: "real" | "virtual"; batching?: boolean; leaseSeconds?: number; env?: Record<string, string> } = {}) {
  return LocalHostProcess.start({
    appRoot: fixtures.app("durableApp"),
    clock: options.clock ?? "virtual",
    ...(options.batching === undefined ? {} : { batching: options.batching }),
    ...(options.leaseSeconds === undefined ? {} : { leaseSeconds: options.leaseSeconds }),
    // The same object, not a copy: a test changes it to restart the host with other settings.
    env: Object.assign(options.env ?? {}, { AzureWebJobsStorage: connectionString, TASKHUB_NAME: hub }),
  });
}

const uniqueHub = (label: string): string => `${label}${randomUUID().replaceAll("-", "").slice(0, 12)}`;

describe("a host on the virtual clock with time skipping", () => {
  let host: LocalHostProcess;
  beforeAll(async () => {
    host = await hostFor(uniqueHub("Skip"));
  }, 60_000);
  afterAll(async () => {
    await host.stop();
  });

  it("sleeps through a 72-hour durable timer at once, and the orchestration sees the later time", async () => {
    const before = Date.parse((await host.clock()).now);
    const status = await runToEnd(host, "LongSleeper");
    expect(status.runtimeStatus).toBe("Completed");
    expect(Date.parse(status.output as string) - before).toBeGreaterThanOrEqual(72 * 3600_000);
  });

  it("retries a failing activity an hour apart until it succeeds", async () => {
    const status = await runToEnd(host, "RetryingCaller", { key: randomUUID(), failTimes: 2 });
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: 3 });
  });

  it("fails the orchestration once the retries are used up, with the activity's message", async () => {
    const status = await runToEnd(host, "RetryingCaller", { key: randomUUID(), failTimes: 5 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(JSON.stringify(status.output)).toContain("Flaky failure 3 of 5");
  });

  it("runs sub-orchestrations and returns their combined result", async () => {
    const status = await runToEnd(host, "ParentOfTwo");
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: 24 });
  });

  it("never runs more activities at once than maxConcurrentActivityFunctions (2 in the fixture's host.json)", async () => {
    const status = await runToEnd(host, "Crowd");
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: 2 });
  });

  it("carries inputs and results far over 45 KB (through blobs)", async () => {
    const status = await runToEnd(host, "BulkyRoundTrip", "y".repeat(100_000));
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: { inputLength: 100_000, resultLength: 200_000 } });
  });

  it("marks an orchestrator that throws as Failed with its message", async () => {
    const status = await runToEnd(host, "Failing");
    expect(status.runtimeStatus).toBe("Failed");
    expect(JSON.stringify(status.output)).toContain("The orchestrator gave up on purpose.");
  });
});

describe("batched delivery and ContinueAsNew", () => {
  /** Queues a start and ten ticks while no host runs, so that they all arrive in one batch. */
  async function queueStartAndTicks(hub: string, instanceId: string): Promise<void> {
    const storage = new TaskHubStorage({ connectionString, taskHubName: hub, partitionCount: 2 });
    await storage.createIfNotExists();
    const client = new TaskHubClient({
      storage,
      clock: new RealClock(),
      orchestratorNames: () => new Set(["TickCounter"]),
      entityNames: () => new Set(),
    });
    await client.startNew("TickCounter", { instanceId, input: "0" });
    for (let tick = 0; tick < 10; tick++) await client.raiseEvent(instanceId, "tick", "null");
  }

  it("drops the ticks an episode did not consume when it continues as new, as the extension does for Node apps", async () => {
    const hub = uniqueHub("Batch");
    await queueStartAndTicks(hub, "ticks");
    const host = await hostFor(hub, { clock: "real" });
    try {
      const status = await pollUntil("the batch to be applied", () => statusOf(host, "ticks"), (s) => s?.customStatus === 1, { timeoutMs: 15_000 });
      // Give the dropped ticks every chance to show up after all.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await statusOf(host, "ticks"))?.customStatus).toBe(1);
      expect(status?.runtimeStatus).toBe("Running");
    } finally {
      await host.stop();
    }
  }, 40_000);

  it("applies every tick when batching is off (one message per episode)", async () => {
    const hub = uniqueHub("NoBatch");
    await queueStartAndTicks(hub, "ticks");
    const host = await hostFor(hub, { clock: "real", batching: false });
    try {
      await pollUntil("all ten ticks", () => statusOf(host, "ticks"), (s) => s?.customStatus === 10, { timeoutMs: 20_000 });
    } finally {
      await host.stop();
    }
  }, 40_000);
});

describe("restarts", () => {
  it("fails an instance with a clear message when its code no longer matches its history", async () => {
    const env: Record<string, string> = {};
    const host = await hostFor(uniqueHub("Drift"), { clock: "real", env });
    try {
      await start(host, "Drifting", "drifting");
      await pollUntil("the first activity", () => statusOf(host, "drifting"), (s) => s?.runtimeStatus === "Running");
      await new Promise((resolve) => setTimeout(resolve, 500));
      env.DRIFT = "1";
      await host.restart();
      const raised = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/drifting/raiseEvent/go`, {
        method: "POST",
        body: "{}",
        headers: { "Content-Type": "application/json" },
      });
      expect(raised.status).toBe(202);
      const status = await pollUntil("the instance to fail", () => statusOf(host, "drifting"), finished);
      expect(status?.runtimeStatus).toBe("Failed");
      expect(JSON.stringify(status?.output)).toMatch(/non-deterministic/i);
      expect(JSON.stringify(status?.output)).toContain("Other");
    } finally {
      await host.stop();
    }
  }, 60_000);

  it("resumes after SIGKILL in the middle of sub-orchestrations, and every parent gets both results once", async () => {
    const host = await hostFor(uniqueHub("Crash"), { clock: "real", leaseSeconds: 2 });
    try {
      const ids = Array.from({ length: 5 }, (_, index) => `sub-${index}`);
      await Promise.all(ids.map((id) => start(host, "ParentOfTwo", id)));
      await host.kill();
      await host.restart();
      for (const id of ids) {
        const status = await pollUntil(`${id} after the crash`, () => statusOf(host, id), finished, { timeoutMs: 30_000 });
        expect(status).toMatchObject({ runtimeStatus: "Completed", output: 24 });
      }
    } finally {
      await host.stop();
    }
  }, 90_000);

  it("finishes a fan-out of 120 activities after SIGKILL in the middle of it, each result counted once", async () => {
    const host = await hostFor(uniqueHub("FanCrash"), { clock: "real", leaseSeconds: 2 });
    const completions = async (): Promise<{ status: Status | undefined; results: unknown[] }> => {
      const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/fan?showHistory=true&showHistoryOutput=true`);
      if (response.status === 404) return { status: undefined, results: [] };
      const status = (await response.json()) as Status & { historyEvents?: { EventType: string; Result?: unknown }[] };
      return { status, results: (status.historyEvents ?? []).filter((event) => event.EventType === "TaskCompleted").map((event) => event.Result) };
    };
    try {
      await start(host, "FanOutSum", "fan", 120);
      // Two at a time (the fixture's maxConcurrentActivityFunctions), 30 ms each: about two seconds of work.
      const before = await pollUntil("some results before the crash", completions, ({ results }) => results.length >= 10, { intervalMs: 50 });
      await host.kill();
      expect(before.results.length).toBeLessThan(120);
      await host.restart();
      const after = await pollUntil("the fan-out after the crash", completions, ({ status }) => finished(status), { timeoutMs: 60_000 });
      expect(after.status).toMatchObject({ runtimeStatus: "Completed", output: { count: 120, sum: (120 * 121) / 2 } });
      expect(after.results.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
    } finally {
      await host.stop();
    }
  }, 90_000);
});

describe("the host process", () => {
  let host: LocalHostProcess;
  const settingsFile = (): string => path.join(fixtures.app("durableApp"), "local.settings.json");
  beforeAll(async () => {
    // Host settings come only from local.settings.json, as under Core Tools.
    await writeFile(settingsFile(), JSON.stringify({ IsEncrypted: false, Values: {}, Host: { CORS: "http://app.example", CORSCredentials: true } }));
    host = await hostFor(uniqueHub("Proc"), { clock: "real" });
  }, 60_000);
  afterAll(async () => {
    await host.stop();
    await rm(settingsFile(), { force: true });
  });

  it("answers a CORS preflight from an allowed origin itself, and adds the CORS headers to responses", async () => {
    const preflight = await fetch(`${host.baseUrl}/api/forgetful`, {
      method: "OPTIONS",
      headers: { Origin: "http://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-trace" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("x-trace");
    const allowed = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances`, { headers: { Origin: "http://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.example");
    const other = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances`, { headers: { Origin: "http://elsewhere.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("resolves dot segments before routing, as Kestrel does", async () => {
    const viaDots = await fetch(`${host.baseUrl}/api/../runtime/webhooks/durabletask/instances`);
    expect(viaDots.status).toBe(200);
    expect(Array.isArray(await viaDots.json())).toBe(true);
  });

  it("fails an HTTP function and an activity that outlast host.json's functionTimeout (3 s in the fixture)", async () => {
    const started = Date.now();
    const response = await fetch(`${host.baseUrl}/api/sleepy`);
    expect(response.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(9_000);
    const status = await runToEnd(host, "HangingCaller");
    expect(status.runtimeStatus).toBe("Failed");
    expect(JSON.stringify(status.output)).toContain("Timeout value of 00:00:03 was exceeded by function: Functions.Hang");
  });

  it("logs a rejection the app forgot to await, and keeps serving", async () => {
    const cursor = host.logCursor();
    const first = await fetch(`${host.baseUrl}/api/forgetful`);
    expect(await first.text()).toBe("answered anyway");
    await pollUntil("the uncaught rejection in the log", () => Promise.resolve(host.logSince(cursor)), (log) => log.includes("A rejection nobody awaited."));
    expect(host.logSince(cursor)).toContain("Worker uncaught exception");
    expect((await fetch(`${host.baseUrl}/api/forgetful`)).status).toBe(200);
    expect(host.running).toBe(true);
  });
});
