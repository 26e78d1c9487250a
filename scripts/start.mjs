// npm start: Azurite (from node_modules, data in .azurite/), then the first host of these that can
// run: `func start` (Core Tools); the real-extension host (realhost/: the real Durable extension,
// where a .NET SDK is installed; built on first use); the project's local durable host (devhost/).
// --realhost or --devhost picks one. The app has already been built (npm's prestart). Arguments
// after `--` go to whichever host runs. Ctrl-C stops both and leaves no Azurite behind.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { REALHOST_DLL, ensureRealhostBuilt, findDotnetSdk } from "./realhost.mjs";

const root = path.resolve(import.meta.dirname, "..");
const windows = process.platform === "win32";
const bin = (name) => path.join(root, "node_modules", ".bin", windows ? `${name}.cmd` : name);

// On Windows, azurite.cmd and func.cmd are batch files, which Node (since 20.12, the fix for
// CVE-2024-27980) runs only through a shell: spawning them without one fails with EINVAL. Through
// cmd.exe, the command and every argument are quoted, since the paths may contain spaces. Elsewhere
// nothing changes: no shell, arguments passed as they are.
const quoted = (value) => `"${value}"`;
function run(command, args) {
  if (!windows) return spawn(command, args, { cwd: root, stdio: "inherit" });
  return spawn(quoted(command), args.map(quoted), { cwd: root, stdio: "inherit", shell: true });
}

// Killing the shell would leave its child running on Windows: end the whole tree there.
function kill(child, signal) {
  if (!windows) return child.kill(signal);
  if (child.pid !== undefined && child.exitCode === null) spawnSync("taskkill", ["/pid", String(child.pid), "/t", "/f"], { stdio: "ignore" });
}

function findFunc() {
  if (existsSync(bin("func"))) return bin("func");
  const which = spawnSync(windows ? "where" : "which", ["func"], { encoding: "utf8" });
  if (which.status !== 0) return undefined;
  const found = which.stdout.split(/\r?\n/).filter((line) => line !== "");
  // `where` also lists npm's extensionless shell script for bash; cmd.exe runs only the .cmd or .exe.
  return windows ? found.find((file) => /\.(cmd|bat|exe)$/i.test(file)) : found[0];
}

const args = process.argv.slice(2);
const forced = args.includes("--realhost") ? "realhost" : args.includes("--devhost") ? "devhost" : undefined;
const hostArgs = args.filter((arg) => arg !== "--devhost" && arg !== "--realhost");
const func = forced === undefined ? findFunc() : undefined;
const dotnet = func === undefined && forced !== "devhost" ? findDotnetSdk() : undefined;
if (forced === "realhost" && dotnet === undefined) {
  console.error(`--realhost given, but no .NET SDK was found (\`dotnet --list-sdks\` lists none). The real-extension host is built with it:
install the .NET SDK 8 or later, or run the local durable host with npm start -- --devhost.`);
  process.exit(1);
}
const hostKind = func !== undefined ? "func" : dotnet !== undefined ? "realhost" : "devhost";
if (hostKind === "func") {
  console.log(`Running Azure Functions Core Tools: ${func} start`);
} else if (hostKind === "realhost") {
  console.log(`${forced === "realhost" ? "--realhost given" : "Core Tools (func) was not found; a .NET SDK was"}: running the real-extension host (realhost/).
The real Durable extension (Microsoft.Azure.WebJobs.Extensions.DurableTask) runs the app's orchestrations, entities
and activities on Azurite, with the routes and the built-in API that func start serves. npm start -- --devhost runs
the local durable host instead (no .NET needed, and a virtual clock).`);
  try {
    await ensureRealhostBuilt();
  } catch (error) {
    console.error(`${error.message}\nThe output above says why (a NuGet package that cannot be restored, say). npm start -- --devhost runs the local durable host instead.`);
    process.exit(1);
  }
} else {
  console.log(`${forced === "devhost" ? "--devhost given" : "Neither Core Tools (func) nor a .NET SDK was found"}: running the local durable host (devhost/).
It serves the same routes, the Durable built-in API and the same Azurite task hub as func start would.
To run on the real Durable extension, install the .NET SDK (8 or later) and run npm start again; for Core Tools:
  npm i -g azure-functions-core-tools@4 --unsafe-perm true
  (or: winget install Microsoft.Azure.FunctionsCoreTools, brew tap azure/functions && brew install azure-functions-core-tools@4)`);
}

if (!existsSync(path.join(root, "local.settings.json"))) {
  copyFileSync(path.join(root, "local.settings.json.example"), path.join(root, "local.settings.json"));
  console.log("Created local.settings.json from local.settings.json.example.");
}

const dataDir = path.join(root, ".azurite");
mkdirSync(dataDir, { recursive: true });
const azurite = run(bin("azurite"), [
  "--silent",
  "--skipApiVersionCheck",
  "--disableTelemetry",
  "--location",
  dataDir,
  "--debug",
  path.join(dataDir, "debug.log"),
]);
console.log("Azurite is starting (blob 10000, queue 10001, table 10002; data in .azurite/).");

const host =
  hostKind === "func"
    ? run(func, ["start", ...hostArgs])
    : hostKind === "realhost"
      ? run("dotnet", [REALHOST_DLL, "--node", process.execPath, ...hostArgs])
      : run(process.execPath, [path.join(root, "devhost", "dist", "main.js"), ...hostArgs]);

// The host first, then Azurite: the host's last storage calls still need it. Both exit within
// seconds (the local hosts give up on unfinished work after 5 to 8 s; it resumes at the next start).
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  const stopAzurite = () => {
    kill(azurite, "SIGTERM");
    setTimeout(() => process.exit(code), 500).unref();
  };
  if (host.exitCode !== null || host.signalCode !== null) return stopAzurite();
  host.once("exit", stopAzurite);
  kill(host, "SIGINT");
  setTimeout(stopAzurite, 10_000).unref();
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
