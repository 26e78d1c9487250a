// Cold start: how long loading the app's compiled function modules takes beyond loading bare
// `@azure/functions` + `durable-functions`, measured in fresh Node processes (the module cache is
// what a cold start lacks), several times, median. With APPLICATIONINSIGHTS_CONNECTION_STRING set
// the app also loads Application Insights, asynchronously: that variant also reports the time until
// telemetry is ready.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AppHooks } from "../devhost/dist/app/AppHooks.js";
import { createCoreApi } from "../devhost/dist/app/createCoreApi.js";
import { FunctionRegistry } from "../devhost/dist/app/FunctionRegistry.js";
import { installFunctionsCoreSubstitute } from "../devhost/dist/app/installFunctionsCoreSubstitute.js";
import { loadEntryPoints } from "../devhost/dist/app/loadEntryPoints.js";
import { REPO_ROOT } from "./lib/appHarness.mjs";
import { check, RESULT_PREFIX, runAsFamily } from "./lib/family.mjs";
import { median, ratioFigure, round } from "./lib/stats.mjs";

/** Offline on purpose: an ingestion endpoint nothing listens on, so nothing leaves the machine. */
const OFFLINE_CONNECTION_STRING = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
const TARGET_OVERHEAD_MS = 100;

const VARIANTS = [
  { key: "bare", label: "@azure/functions + durable-functions", env: {} },
  { key: "app", label: "the app's modules", env: { APPLICATIONINSIGHTS_CONNECTION_STRING: "" } },
  { key: "appWithInsights", label: "the app's modules, Application Insights on", env: { APPLICATIONINSIGHTS_CONNECTION_STRING: OFFLINE_CONNECTION_STRING } },
];

runAsFamily(import.meta.url, async ({ quick }) => {
  const variantArgument = process.argv.indexOf("--variant");
  if (variantArgument > 0) return loadOnce(process.argv[variantArgument + 1]);

  const repetitions = quick ? 3 : 7;
  const samples = Object.fromEntries(VARIANTS.map((variant) => [variant.key, []]));
  // Interleaved, so that a burst of load on the shared machine hits every variant alike.
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    for (const variant of VARIANTS) samples[variant.key].push(await inFreshProcess(variant));
  }
  const medianOf = (key, field) => round(median(samples[key].map((sample) => sample[field])), 1);
  const bareMs = medianOf("bare", "loadMs");
  const appMs = medianOf("app", "loadMs");
  const insightsMs = medianOf("appWithInsights", "loadMs");
  return {
    repetitions,
    variants: VARIANTS.map(({ key, label }) => ({ key, label, loadMs: medianOf(key, "loadMs"), readyMs: medianOf(key, "readyMs") })),
    overheadMs: { ...ratioFigure(appMs - bareMs, TARGET_OVERHEAD_MS), unit: "ms" },
    overheadWithInsightsMs: { ...ratioFigure(insightsMs - bareMs), unit: "ms" },
    telemetryReadyMs: medianOf("appWithInsights", "readyMs"),
    ratio: ratioFigure(appMs / bareMs),
  };
});

async function inFreshProcess(variant) {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), "--variant", variant.key], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...variant.env },
  });
  const line = stdout.split("\n").find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`The cold start of ${variant.key} printed no result.`);
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

/**
 * One cold load. The worker's @azure/functions-core stand-in is installed first in every variant
 * (the worker has it before it loads anything), so the difference is the app's own modules.
 */
async function loadOnce(variantKey) {
  const registry = new FunctionRegistry({ log() {} });
  const logger = { log() {} };
  installFunctionsCoreSubstitute(createCoreApi(registry, new AppHooks(logger), logger));
  const requireFromApp = createRequire(path.join(REPO_ROOT, "package.json"));
  const started = performance.now();
  if (variantKey === "bare") {
    requireFromApp("@azure/functions");
    requireFromApp("durable-functions");
  } else {
    await loadEntryPoints(REPO_ROOT, logger);
  }
  const loadMs = performance.now() - started;
  let readyMs = loadMs;
  if (variantKey !== "bare") {
    check(registry.list().length > 0, "the app registered no functions");
    // The same module instance the app loaded: a second start returns the first one's promise.
    const telemetry = requireFromApp(path.join(REPO_ROOT, "dist/telemetry.js"));
    const started2 = await telemetry.startTelemetry();
    check(started2 === (variantKey === "appWithInsights"), `telemetry started: ${started2}`);
    readyMs = performance.now() - started;
  }
  return { loadMs, readyMs };
}
