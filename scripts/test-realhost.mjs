// npm run test:realhost: the real-extension host's own tests (xunit, dotnet test), then the
// end-to-end suite against it and the tests of the host's process (vitest.realhost.config.mts, with
// E2E_HOST=realhost). The app and the devhost's worker are already built (npm's pretest:realhost);
// the host is built here unless its build is current.
//
//   --require             fail when no .NET SDK is installed (CI); otherwise that only skips, saying so
//   --results-dir <dir>   also write the xunit results (trx) and the vitest JSON report there
//   anything else         passed on to vitest (a file filter, say)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureRealhostBuilt, findDotnetSdk } from "./realhost.mjs";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const required = args.includes("--require");
const resultsIndex = args.indexOf("--results-dir");
const resultsDir = resultsIndex < 0 ? undefined : path.resolve(args[resultsIndex + 1] ?? "");
const vitestArgs = args.filter((arg, index) => arg !== "--require" && index !== resultsIndex && index !== resultsIndex + 1);

if (findDotnetSdk() === undefined) {
  console.log(`No .NET SDK found (\`dotnet --list-sdks\` lists none): the real-extension host cannot be built, so its tests ${required ? "cannot run" : "are skipped"}.
Install the .NET SDK (8 or later) to run the app on the real Durable extension.`);
  process.exit(required ? 1 : 0);
}

function run(command, commandArgs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: "inherit", env });
    child.once("error", (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

await ensureRealhostBuilt();
const trxDir = resultsDir ?? mkdtempSync(path.join(os.tmpdir(), "realhost-tests-"));
const unitStatus = await run("dotnet", [
  "test",
  path.join("realhost", "RealHost.Tests"),
  "--nologo",
  "--logger",
  "trx;LogFileName=realhost-tests.trx",
  "--results-directory",
  trxDir,
]);
if (resultsDir === undefined) rmSync(trxDir, { recursive: true, force: true });
else summariseTrx(path.join(trxDir, "realhost-tests.trx"), path.join(resultsDir, "realhost-tests.json"));

const e2eStatus = await run(
  process.execPath,
  [
    path.join(root, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--config",
    "vitest.realhost.config.mts",
    ...(resultsDir === undefined ? [] : ["--reporter=default", "--reporter=json", `--outputFile.json=${path.join(resultsDir, "realhost-e2e.json")}`]),
    ...vitestArgs,
  ],
  { ...process.env, E2E_HOST: "realhost" },
);
process.exit(unitStatus !== 0 ? unitStatus : e2eStatus);

/** The xunit counts in the shape of vitest's JSON report, for the one summary line CI prints. */
function summariseTrx(trxFile, jsonFile) {
  let counters;
  try {
    counters = /<Counters\b([^>]*)>/.exec(readFileSync(trxFile, "utf8"))?.[1] ?? "";
  } catch {
    return; // No trx: dotnet test failed before running tests, and its exit code says so.
  }
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(counters)?.[1] ?? 0);
  const summary = { numPassedTests: count("passed"), numFailedTests: count("failed") + count("error"), numPendingTests: count("notExecuted"), numTodoTests: 0 };
  writeFileSync(jsonFile, JSON.stringify(summary));
}
