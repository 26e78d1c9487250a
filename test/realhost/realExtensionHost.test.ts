import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { expect, it } from "vitest";
import { describeWithOwnHost, localHostKind, useE2eTarget } from "../e2e/support/e2eTarget.js";
import { pollUntil } from "../e2e/support/poll.js";

/**
 * What only the real-extension host has: the engine it names at start, its front door, and its
 * Node.js worker, which must not outlive it however it ends. The end-to-end suite covers the app's
 * routes on it; `npm run test:realhost` runs both.
 */

if (localHostKind !== "realhost") throw new Error("Run these with E2E_HOST=realhost: npm run test:realhost does.");

const target = useE2eTarget({ name: "realhost" });

/** The host's child processes (its Node.js worker). */
function childrenOf(pid: number): number[] {
  const listing = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).stdout;
  return listing
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeWithOwnHost("the real-extension host", {}, () => {
  it("names the engine it runs at start: the Durable extension, DurableTask.Core, DurableTask.AzureStorage and WebJobs", () => {
    expect(target.logSince(0)).toMatch(
      /Local durable host listening on http:\/\/127\.0\.0\.1:\d+ \(real extension: Durable extension 3\.19\.0, DurableTask\.Core 3\.\d+\.\d+, DurableTask\.AzureStorage 2\.\d+\.\d+, WebJobs 3\.0\.48\)/,
    );
    expect(target.logSince(0)).toContain("Opened local http RPC endpoint");
  });

  it("answers /admin/host/status as Core Tools does, and keeps the worker's own routes off its front door", async () => {
    const status = await fetch(target.url("/admin/host/status"));
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ state: "Running" });
    for (const path of ["/__worker/functions", "/__WORKER/invoke"]) expect((await fetch(target.url(path))).status).toBe(404);
  });

  it("passes the worker's answers on as the worker wrote them: one Allow header for a wrong method, as the devhost sends it", async () => {
    const { status, rawHeaders } = await new Promise<{ status: number | undefined; rawHeaders: string[] }>((resolve, reject) => {
      const sent = request(target.url("/api/counter/apples"), { method: "DELETE" }, (response) => {
        response.resume();
        response.once("end", () => resolve({ status: response.statusCode, rawHeaders: response.rawHeaders }));
      });
      sent.once("error", reject);
      sent.end();
    });
    expect(status).toBe(405);
    const allowValues = rawHeaders.filter((_, index) => index % 2 === 1 && rawHeaders[index - 1]?.toLowerCase() === "allow");
    expect(allowValues).toHaveLength(1);
    expect(allowValues[0]?.split(", ").sort()).toEqual(["GET", "POST"]);
  });

  it("leaves no Node.js worker behind when it is killed with SIGKILL", async () => {
    const pid = target.host.pid;
    if (pid === undefined) throw new Error("The host is not running.");
    const workers = childrenOf(pid);
    expect(workers).toHaveLength(1);
    await target.host.kill();
    // The worker holds the end of a pipe the host's death closes; it exits once it reads the end.
    await pollUntil("the worker to exit", () => Promise.resolve(workers.filter(isAlive)), (alive) => alive.length === 0, { timeoutMs: 15_000 });
    await target.host.restart();
  });
});
