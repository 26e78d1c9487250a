// `npm run bench [-- --quick] [--only replay,fanout,endToEnd,coldStart] [--compare <results.json>]`:
// runs each benchmark family in a child process of its own, prints one table, writes the results
// and the replay-cost chart. A full run writes bench/results.json and bench/replay-cost.svg (the
// committed figures); --quick writes to a temporary folder, so CI never touches them.
// Exit status: 1 when a family crashed or produced a wrong result; a ratio off its target on this
// shared, noisy machine is flagged in the table but does not fail the run.
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { RESULT_PREFIX } from "./lib/family.mjs";
import { round } from "./lib/stats.mjs";
import { logLogChart } from "./lib/svg.mjs";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const FAMILIES = ["replay", "fanout", "endToEnd", "coldStart"];

const quick = process.argv.includes("--quick");
const only = optionValue("--only")?.split(",") ?? FAMILIES;
const compareWith = optionValue("--compare");
const outDir = optionValue("--out") ?? (quick ? path.join(os.tmpdir(), "durable-bench-quick") : BENCH_DIR);

const started = performance.now();
const results = {
  mode: quick ? "quick" : "full",
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, platform: `${os.platform()} ${os.release()}` },
  families: {},
  failures: [],
};
for (const family of only) {
  if (!FAMILIES.includes(family)) throw new Error(`Unknown family '${family}'; the families are ${FAMILIES.join(", ")}.`);
  process.stderr.write(`bench: ${family}${quick ? " (quick)" : ""}…\n`);
  try {
    results.families[family] = await runFamily(family);
  } catch (error) {
    results.failures.push({ family, error: error.message });
    process.stderr.write(`bench: ${family} FAILED\n${error.message}\n`);
  }
}
results.wallSeconds = round((performance.now() - started) / 1000, 1);

const before = compareWith === undefined ? undefined : JSON.parse(await readFile(compareWith, "utf8"));
const rows = tableRows(results);
const beforeRows = before === undefined ? undefined : new Map(tableRows(before).map((row) => [row.figure, `${row.value} ${row.unit}`.trim()]));
printTable(rows, beforeRows);

await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, "results.json"), `${JSON.stringify({ ...results, table: rows }, null, 2)}\n`);
if (results.families.replay !== undefined) await writeFile(path.join(outDir, "replay-cost.svg"), replayChart(results.families.replay));
process.stdout.write(`\n${results.mode} run: ${results.wallSeconds} s; results in ${path.join(outDir, "results.json")}\n`);
process.exitCode = results.failures.length > 0 ? 1 : 0;

function optionValue(name) {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function runFamily(family) {
  const script = path.join(BENCH_DIR, `${family}.mjs`);
  const { stdout } = await new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [script, ...(quick ? ["--quick"] : [])], { maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
      error ? reject(new Error(`${family} exited with ${error.code}:\n${err.slice(-3000)}`)) : resolve({ stdout: out }),
    );
    // A family's own children (Azurite, the local host) are its to stop; the family is ours.
    const stop = () => {
      child.kill("SIGTERM");
      process.exit(1);
    };
    process.once("SIGINT", stop).once("SIGTERM", stop);
    child.once("exit", () => process.off("SIGINT", stop).off("SIGTERM", stop));
    child.stderr.on("data", (chunk) => {
      // Warnings and wrong-result messages show as they happen; the Functions libraries' chatter does not.
      if (!/test mode|Executing|Executed/.test(chunk)) process.stderr.write(chunk);
    });
  });
  const line = stdout.split("\n").find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`${family} printed no result.`);
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

/** One row per figure: { figure, value, unit, target?, pass? }. */
function tableRows({ families }) {
  const rows = [];
  const add = (figure, value, unit, ratio) =>
    rows.push({ figure, value, unit, ...(ratio?.target === undefined ? {} : { target: `${ratio.direction === "atMost" ? "≤" : "≥"} ${ratio.target}`, pass: ratio.pass }) });
  const { replay, fanout, endToEnd, coldStart } = families;
  if (replay !== undefined) {
    const [first, last] = replay.ratioOperations;
    for (const series of replay.series) {
      const at = (n) => series.points.find((point) => point.operations === n).costUs;
      add(`replay ${series.label}: µs/op at op ${first}`, at(first), "µs");
      add(`replay ${series.label}: µs/op at op ${last}`, at(last), "µs");
      add(`replay ${series.label}: ratio ${last}/${first}`, replay.ratios[series.key].value, "×", replay.ratios[series.key]);
    }
  }
  if (fanout !== undefined) {
    for (const run of fanout.runs) {
      // Only in results.before.json: a size the code of then could not finish.
      if (run.error !== undefined) {
        add(`fan-out ${run.activities}: wall time`, `${run.error}${run.activitiesRun === undefined ? "" : ` (${run.activitiesRun} activities run)`}`, "");
        continue;
      }
      add(`fan-out ${run.activities}: wall time`, run.wallSeconds, "s");
      add(`fan-out ${run.activities}: orchestrator replay time`, run.replaySeconds, "s");
      add(`fan-out ${run.activities}: peak RSS (growth)`, `${run.peakRssMb} (+${run.peakRssGrowthMb})`, "MB");
      add(`fan-out ${run.activities}: storage requests per activity`, run.storageRequestsPerActivity, "");
    }
    add(`fan-out time ratio ${fanout.ratio.of.join("/")}`, fanout.ratio.value ?? "n/a", "×", fanout.ratio);
    const depth = fanout.azuriteQueueDepth;
    if (depth !== undefined) {
      add("Azurite queue round trips, empty account", depth.emptyRoundTripsPerSecond, "/s");
      add(`Azurite queue round trips, ${depth.depth} messages waiting`, depth.roundTripsPerSecond, "/s");
    }
  }
  if (endToEnd !== undefined) {
    const { raw, e3, signals, hello, published } = endToEnd;
    add("Azurite queue send+receive+delete", raw.queueRoundTripsPerSecond, "/s");
    add("Azurite table upsert+get", raw.tableRoundTripsPerSecond, "/s");
    add(`E3 ops via exactly-once endpoint (published external events ${published.externalEvents}/s)`, e3.perSecond, "/s");
    add("E3: storage requests per op", e3.storageRequestsPerOperation, "");
    add(`entity signals (published entity ops ${published.entityOperations}/s)`, signals.perSecond, "/s");
    add("entity signals: storage requests per signal", signals.storageRequestsPerOperation, "");
    add(`E1_HelloSequence (3 activities; published sequential ${published.sequentialActivities} activities/s)`, hello.perSecond, "/s");
    add("E1_HelloSequence: storage requests per orchestration", hello.storageRequestsPerOperation, "");
  }
  if (coldStart !== undefined) {
    for (const variant of coldStart.variants) add(`cold load: ${variant.label}`, variant.loadMs, "ms");
    add("cold load overhead of the app (no App Insights)", coldStart.overheadMs.value, "ms", coldStart.overheadMs);
    add("cold load overhead of the app (App Insights on)", coldStart.overheadWithInsightsMs.value, "ms");
    add("App Insights ready after", coldStart.telemetryReadyMs, "ms");
  }
  return rows;
}

function printTable(rows, beforeRows) {
  const header = ["figure", ...(beforeRows === undefined ? [] : ["before"]), "value", "target", ""];
  const body = rows.map((row) => [
    row.figure,
    ...(beforeRows === undefined ? [] : [beforeRows.get(row.figure) ?? "-"]),
    `${row.value} ${row.unit}`,
    row.target ?? "",
    row.pass === undefined ? "" : row.pass ? "ok" : "MISS",
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  process.stdout.write(`${[line(header), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n")}\n`);
}

function replayChart(replay) {
  return logLogChart({
    title: "Replay cost per operation: E3_Counter (ContinueAsNew) vs a while loop",
    xLabel: `operations handled (cost averaged over the ${replay.windowOperations}-operation block containing each)`,
    yLabel: "orchestrator replay time per operation (µs)",
    series: replay.series.map((series) => ({ label: series.label, points: series.points.map((point) => [point.operations, point.costUs]) })),
  });
}
