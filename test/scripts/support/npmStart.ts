import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, type TestContext } from "vitest";

/**
 * `npm start` (scripts/start.mjs) run as a user runs it, in a copy of the project's runnable files,
 * so that Azurite's data folder and the local.settings.json it creates land there, not in the
 * working tree; then stopped as a terminal's Ctrl-C stops it (SIGINT to the whole process group).
 */

const root = path.resolve(import.meta.dirname, "../../..");
const AZURITE_PORTS = [10000, 10001, 10002];
const READY = /Local durable host listening on (http:\/\/127\.0\.0\.1:\d+)/;
const READY_TIMEOUT_MS = 60_000;

/** A copy made in beforeAll and removed in afterAll; the function returns its folder. */
export function useProjectCopy(): () => string {
  let copy: string | undefined;
  beforeAll(async () => {
    copy = await makeProjectCopy();
  });
  afterAll(async () => {
    if (copy !== undefined) await rm(copy, { recursive: true, force: true });
  });
  return () => {
    if (copy === undefined) throw new Error("The project copy is used before its beforeAll ran.");
    return copy;
  };
}

/** npm start runs Azurite on its default ports, so the test cannot run beside another Azurite. */
export async function skipIfAzuriteIsRunning(context: TestContext): Promise<void> {
  const busy = await Promise.all(AZURITE_PORTS.map(portAnswers));
  if (busy.some(Boolean)) context.skip("Azurite's default ports (10000-10002) are in use: another Azurite is running");
}

async function makeProjectCopy(): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), "npm-start-"));
  await mkdir(path.join(copy, "scripts"));
  await mkdir(path.join(copy, "devhost"));
  for (const file of ["package.json", "host.json", "local.settings.json.example", "scripts/start.mjs", "scripts/realhost.mjs"]) {
    await copyFile(path.join(root, file), path.join(copy, file));
  }
  for (const folder of ["node_modules", "dist", "devhost/dist", "realhost"]) await symlink(path.join(root, folder), path.join(copy, folder), "dir");
  return copy;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

/** Every process whose command line names the copy: Azurite (its data folder), the host, the real-extension host's worker. */
function processesOf(copy: string): string[] {
  const listing = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).stdout;
  return listing.split("\n").filter((line) => line.includes(copy) && !line.includes(" ps "));
}

export interface StartedApp {
  baseUrl: string;
  output: () => string;
}

/**
 * Starts `npm start -- <hostFlag> --port 0` in the copy, runs `use` against the app once it is
 * ready, then sends SIGINT to the group and checks that nothing is left: no process of the copy's,
 * no Azurite port, no host port. Returns everything the run printed.
 */
export async function startUseAndInterrupt(copy: string, hostFlag: "--devhost" | "--realhost", use: (app: StartedApp) => Promise<void>): Promise<string> {
  // The copy's local.settings.json must decide these, not the test process's environment.
  const fromFile = new Set(["AzureWebJobsStorage", "TASKHUB_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !fromFile.has(name)));
  // Its own process group, so that the test can send SIGINT to all of it, as a terminal does.
  const child = spawn(process.execPath, ["scripts/start.mjs", hostFlag, "--port", "0"], { cwd: copy, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ready line within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS);
      child.stdout.on("data", () => {
        const match = READY.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once("exit", () => reject(new Error(`npm start exited early:\n${output}`)));
    });
    expect(output).toContain("Created local.settings.json from local.settings.json.example.");
    await use({ baseUrl, output: () => output });

    if (child.pid === undefined) throw new Error("npm start has no pid");
    process.kill(-child.pid, "SIGINT");
    await exited(child);
    expect(await Promise.all([...AZURITE_PORTS, Number(new URL(baseUrl).port)].map(portAnswers))).toEqual([false, false, false, false]);
    expect(processesOf(copy)).toEqual([]);
    return output;
  } finally {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
  }
}

/** The app answers its routes: the default counter reads 0, and E1 starts. */
export async function expectAppAnswers({ baseUrl }: StartedApp): Promise<void> {
  const counter = await fetch(`${baseUrl}/api/counter`);
  expect(counter.status).toBe(200);
  expect(await counter.json()).toEqual({ id: "counter", value: 0 });
  expect((await fetch(`${baseUrl}/api/orchestrators/E1_HelloSequence`, { method: "POST" })).status).toBe(202);
}
