// The local durable host as a child process, started as `npm start` starts it without Core Tools:
// `node devhost/dist/main.js --app-root . --port 0` against the given storage. The storage request
// counter is preloaded into it (see storageRequests.mjs), so that requests per operation can be read
// between phases; it only counts.
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./appHarness.mjs";

const READY_LINE = /Local durable host listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startDevhost({ connectionString, taskHubName }) {
  const countsFile = path.join(os.tmpdir(), `bench-storage-counts-${process.pid}-${taskHubName}.json`);
  const child = spawn(
    process.execPath,
    ["--import", new URL("./storageRequests.mjs", import.meta.url).href, path.join(REPO_ROOT, "devhost/dist/main.js"), "--app-root", REPO_ROOT, "--port", "0"],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AzureWebJobsStorage: connectionString, TASKHUB_NAME: taskHubName, BENCH_STORAGE_COUNTS: countsFile },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  process.once("exit", () => child.kill("SIGKILL"));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    let stdout = "";
    const onData = (chunk) => {
      stdout += chunk.toString();
      const match = READY_LINE.exec(stdout);
      if (match === null) return;
      // The host logs every invocation; keep reading so that its pipe never fills, but keep nothing.
      child.stdout.off("data", onData);
      child.stdout.resume();
      resolve(match[1]);
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`The local host exited (${code}) before it was ready:\n${stderr}`)));
  });

  return {
    url,
    pid: child.pid,
    /** The host's storage request counts so far, by kind. */
    async storageRequests() {
      await rm(countsFile, { force: true });
      child.kill("SIGUSR2");
      for (let attempt = 0; attempt < 200; attempt += 1) {
        try {
          return JSON.parse(await readFile(countsFile, "utf8")).counts;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      throw new Error("The local host did not report its storage request counts.");
    },
    async stop() {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
      await rm(countsFile, { force: true });
    },
  };
}
