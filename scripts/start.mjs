// npm start: Azurite (from node_modules, data in .azurite/), then `func start` on the built app.
// The build has already run (npm's prestart). Ctrl-C stops both and leaves no Azurite behind.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

function findFunc() {
  if (existsSync(bin("func"))) return bin("func");
  const which = spawnSync(process.platform === "win32" ? "where" : "which", ["func"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.split(/\r?\n/)[0] : undefined;
}

const func = findFunc();
if (func === undefined) {
  console.error(`Azure Functions Core Tools (func) was not found on PATH or in node_modules/.bin.
Install Core Tools v4, then run npm start again:
  npm i -g azure-functions-core-tools@4 --unsafe-perm true
  (or: winget install Microsoft.Azure.FunctionsCoreTools, brew tap azure/functions && brew install azure-functions-core-tools@4,
   or the packages at https://learn.microsoft.com/azure/azure-functions/functions-run-local)
Without Core Tools, npm test still runs every sample through the SDK's replay and a real Azurite.`);
  process.exit(1);
}

if (!existsSync(path.join(root, "local.settings.json"))) {
  copyFileSync(path.join(root, "local.settings.json.example"), path.join(root, "local.settings.json"));
  console.log("Created local.settings.json from local.settings.json.example.");
}

const dataDir = path.join(root, ".azurite");
mkdirSync(dataDir, { recursive: true });
const azurite = spawn(
  bin("azurite"),
  ["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", dataDir, "--debug", path.join(dataDir, "debug.log")],
  { cwd: root, stdio: "inherit" },
);
console.log("Azurite is starting (blob 10000, queue 10001, table 10002; data in .azurite/).");

const host = spawn(func, ["start"], { cwd: root, stdio: "inherit" });

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  host.kill("SIGINT");
  azurite.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
host.on("exit", (code) => stop(code ?? 0));
azurite.on("exit", (code) => {
  if (!stopping) {
    console.error(`Azurite exited (code ${code}); is another Azurite already using ports 10000-10002?`);
    stop(1);
  }
});
