import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * `npm start` where Core Tools is not installed: scripts/start.mjs starts Azurite and the local
 * durable host, the app answers, and a terminal's Ctrl-C (SIGINT to the whole process group) stops
 * everything. It runs in a copy of the project's runnable files, so Azurite's data folder and the
 * local.settings.json it creates land there, not in the working tree.
 */

const root = path.resolve(import.meta.dirname, "../..");
const AZURITE_PORTS = [10000, 10001, 10002];
const READY = /Local durable host listening on (http:\/\/127\.0\.0\.1:\d+)/;

let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(path.join(os.tmpdir(), "npm-start-"));
  await mkdir(path.join(copy, "scripts"));
  await mkdir(path.join(copy, "devhost"));
  for (const file of ["package.json", "host.json", "local.settings.json.example", "scripts/start.mjs"]) {
    await copyFile(path.join(root, file), path.join(copy, file));
  }
  for (const folder of ["node_modules", "dist", "devhost/dist"]) await symlink(path.join(root, folder), path.join(copy, folder), "dir");
});

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

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

describe("npm start without Core Tools", () => {
  it("runs the app on the local durable host beside Azurite, and Ctrl-C stops both", async (context) => {
    const busy = await Promise.all(AZURITE_PORTS.map(portAnswers));
    if (busy.some(Boolean)) context.skip("Azurite's default ports (10000-10002) are in use: another Azurite is running");

    // The copy's local.settings.json must decide these, not the test process's environment.
    const fromFile = new Set(["AzureWebJobsStorage", "TASKHUB_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !fromFile.has(name)));
    // Its own process group, so that the test can send SIGINT to all of it, as a terminal does.
    const child = spawn(process.execPath, ["scripts/start.mjs", "--devhost", "--port", "0"], { cwd: copy, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No ready line within 30 s:\n${output}`)), 30_000);
        child.stdout.on("data", () => {
          const match = READY.exec(output);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once("exit", () => reject(new Error(`npm start exited early:\n${output}`)));
      });
      expect(output).toContain("running the local durable host (devhost/)");
      expect(output).toContain("Created local.settings.json from local.settings.json.example.");

      const counter = await fetch(`${baseUrl}/api/counter`);
      expect(counter.status).toBe(200);
      expect(await counter.json()).toEqual({ id: "counter", value: 0 });
      expect((await fetch(`${baseUrl}/api/orchestrators/E1_HelloSequence`, { method: "POST" })).status).toBe(202);

      if (child.pid === undefined) throw new Error("npm start has no pid");
      process.kill(-child.pid, "SIGINT");
      await exited(child);
      // The group's SIGINT reached Azurite too, so the host may have had to give up on storage calls.
      expect(output).toMatch(/The local durable host has stopped\.|Unfinished work resumes at the next start\./);
      expect(await Promise.all([...AZURITE_PORTS, Number(new URL(baseUrl).port)].map(portAnswers))).toEqual([false, false, false, false]);
    } finally {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
    }
  }, 60_000);
});
