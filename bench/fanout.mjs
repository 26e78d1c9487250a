// Fan-out/fan-in of 100, 1,000 and 5,000 activities on the local host's real engine (control and
// work-item queues, history and instance tables on Azurite, the SDK's replay): wall time, peak
// memory, and the orchestrator's own replay time (its handler invocations only). Each size runs in a
// child process of its own, so that its peak memory is its own.
import { execFile } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadHostSettings } from "../devhost/dist/HostSettings.js";
import { RealClock } from "../devhost/dist/clock/Clock.js";
import { Engine } from "../devhost/dist/engine/Engine.js";
import { TaskHubClient } from "../devhost/dist/client/TaskHubClient.js";
import { TaskHubStorage } from "../devhost/dist/storage/TaskHubStorage.js";
import { expectedSum, FAN_OUT, registerFanOut, SQUARE } from "./fanOutOrchestrator.mjs";
import { loadApp, REPO_ROOT, timingInvoker } from "./lib/appHarness.mjs";
import { startAzurite } from "../scripts/azurite.mjs";
import { storageClients } from "../devhost/dist/storage/storageClients.js";
import { check, RESULT_PREFIX, runAsFamily } from "./lib/family.mjs";
import { ratioFigure, round } from "./lib/stats.mjs";
import { counts, difference, installStorageRequestCounter, totalOf } from "./lib/storageRequests.mjs";

const FULL_SIZES = [100, 1_000, 5_000];
/** Quick mode keeps CI under a minute; its ratio is 500 over 100 (target 5 × 1.1 for linear). */
const QUICK_SIZES = [100, 500];
const SAMPLE_MS = 20;
/** A size that takes longer is reported as not finished (a miss, not a crash): see azuriteQueueDepthCost. */
const TIMEOUT_MS = 10 * 60_000;
/** Round trips timed per queue depth in azuriteQueueDepthCost. */
const DEPTH_PROBE_ROUND_TRIPS = 50;

runAsFamily(import.meta.url, async ({ quick }) => {
  const sizeArgument = process.argv.indexOf("--size");
  if (sizeArgument > 0) return fanOutOnce(Number(process.argv[sizeArgument + 1]));

  // --sizes 100,1000: a subset, e.g. to measure code under which the largest does not finish.
  const sizesArgument = process.argv.indexOf("--sizes");
  const sizes = sizesArgument > 0 ? process.argv[sizesArgument + 1].split(",").map(Number) : quick ? QUICK_SIZES : FULL_SIZES;
  const azurite = await startAzurite();
  try {
    const runs = [];
    for (const size of sizes) runs.push(await inChild(size, azurite.connectionString));
    const [small, middle = small, large] = runs;
    // Linear: time grows as the count does, with 10% slack (1,000 → 5,000 is 5 × 1.1 = 5.5).
    const big = large ?? middle;
    const reference = large === undefined ? small : middle;
    const growth = big.activities / reference.activities;
    const target = round(growth * 1.1, 2);
    const finished = big.error === undefined && reference.error === undefined;
    return {
      sizes,
      runs,
      ratio: finished
        ? { ...ratioFigure(big.wallSeconds / reference.wallSeconds, target), of: [big.activities, reference.activities] }
        : { value: null, target, direction: "atMost", pass: false, of: [big.activities, reference.activities] },
      replayRatio: finished ? ratioFigure(big.replaySeconds / reference.replaySeconds) : { value: null, pass: null },
      azuriteQueueDepth: await azuriteQueueDepthCost(azurite.connectionString, big.activities),
    };
  } finally {
    await azurite.stop();
  }
});

async function inChild(size, connectionString) {
  const run = promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), "--size", String(size)], {
    env: { ...process.env, AzureWebJobsStorage: connectionString, TASKHUB_NAME: `BenchFanOut${size}` },
    maxBuffer: 64 * 1024 * 1024,
  });
  const killChild = () => run.child.kill("SIGKILL");
  process.once("exit", killChild);
  const { stdout } = await run.finally(() => process.off("exit", killChild));
  const line = stdout.split("\n").find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`The fan-out of ${size} printed no result.`);
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

async function fanOutOnce(size) {
  installStorageRequestCounter();
  const app = await loadApp(async () => registerFanOut());
  const invoker = timingInvoker(app, (name) => name === FAN_OUT);
  const settings = loadHostSettings(REPO_ROOT).durableTask;
  const storage = new TaskHubStorage({
    connectionString: process.env.AzureWebJobsStorage,
    taskHubName: settings.hubName,
    partitionCount: settings.storageProvider.partitionCount,
  });
  await storage.createIfNotExists();
  const clock = new RealClock();
  const logger = { log: (level, message) => level === "error" && process.stderr.write(`${message}\n`) };
  const engine = new Engine(storage, invoker, clock, logger, {
    partitionCount: settings.storageProvider.partitionCount,
    controlQueueBatchSize: settings.storageProvider.controlQueueBatchSize,
    batching: true,
    leaseSeconds: 30,
    maxPollingIntervalMs: settings.storageProvider.maxQueuePollingIntervalMs,
    maxConcurrentOrchestratorFunctions: settings.maxConcurrentOrchestratorFunctions,
    maxConcurrentActivityFunctions: settings.maxConcurrentActivityFunctions,
    autoSkip: false,
  });
  const client = new TaskHubClient({ storage, clock, orchestratorNames: () => [FAN_OUT], entityNames: () => [] });

  global.gc?.();
  const baseline = process.memoryUsage();
  const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
  }, SAMPLE_MS);
  const requestsBefore = { ...counts };
  engine.start();
  const started = performance.now();
  const instanceId = await client.startNew(FAN_OUT, { input: String(size) });
  const finished = await waitUntilIdle(engine);
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const requests = difference(counts, requestsBefore);
  if (!finished) {
    // Not a wrong result: the run is reported, with how far it got, and the ratio flagged.
    const activitiesRun = invoker.calls.get(SQUARE) ?? 0;
    return { activities: size, error: `did not finish within ${TIMEOUT_MS / 1000} s`, activitiesRun, activitiesPerSecond: round(activitiesRun / wallSeconds, 1) };
  }
  await engine.stop();
  const instance = await storage.getInstance(instanceId);

  check(instance?.runtimeStatus === "Completed", `the fan-out of ${size} ended ${instance?.runtimeStatus}: ${instance?.output}`);
  check(JSON.parse(instance.output) === expectedSum(size), `the fan-out of ${size} answered ${instance.output}, not ${expectedSum(size)}`);
  const megabytes = (bytes) => round(bytes / 2 ** 20, 1);
  return {
    activities: size,
    wallSeconds: round(wallSeconds),
    activitiesPerSecond: round(size / wallSeconds, 1),
    replaySeconds: round(invoker.handlerMs / 1000),
    orchestratorInvocations: invoker.invocations,
    peakRssMb: megabytes(peak.rss),
    peakRssGrowthMb: megabytes(peak.rss - baseline.rss),
    peakHeapUsedMb: megabytes(peak.heapUsed),
    storageRequests: totalOf(requests),
    storageRequestsPerActivity: round(totalOf(requests) / size, 2),
    storageRequestsByKind: requests,
  };
}

/** Watches the engine rather than polling the instance row: the benchmark's own reads would count among the storage requests. False on timeout. */
async function waitUntilIdle(engine) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!engine.isIdle()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
  return true;
}

/**
 * Raw Azurite queue round trips (send, receive, delete) per second on an empty account and with
 * `depth` messages waiting in another queue of it, as a fan-out's work items wait: Azurite's
 * in-memory queues filter and sort every message of the account on each receive and delete, so its
 * requests slow down as the backlog grows and a large fan-out on Azurite cannot stay linear.
 */
async function azuriteQueueDepthCost(connectionString, depth) {
  const clients = storageClients(connectionString);
  const roundTripsPerSecond = async () => {
    const probe = clients.queue(`bench-depth-probe-${depth}`);
    await probe.createIfNotExists();
    const started = performance.now();
    for (let index = 0; index < DEPTH_PROBE_ROUND_TRIPS; index += 1) {
      await probe.sendMessage("probe");
      const [received] = (await probe.receiveMessages()).receivedMessageItems;
      await probe.deleteMessage(received.messageId, received.popReceipt);
    }
    return round(DEPTH_PROBE_ROUND_TRIPS / ((performance.now() - started) / 1000), 1);
  };
  const empty = await roundTripsPerSecond();
  const backlog = clients.queue(`bench-depth-backlog-${depth}`);
  await backlog.createIfNotExists();
  for (let sent = 0; sent < depth; sent += 100) {
    await Promise.all(Array.from({ length: Math.min(100, depth - sent) }, () => backlog.sendMessage("waiting")));
  }
  const withBacklog = await roundTripsPerSecond();
  await backlog.delete();
  return { depth, emptyRoundTripsPerSecond: empty, roundTripsPerSecond: withBacklog, slowdown: round(empty / withBacklog, 1) };
}
