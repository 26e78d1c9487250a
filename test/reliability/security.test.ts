import { randomBytes, randomUUID } from "node:crypto";
import { createConnection } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { describeWithOwnHost, useE2eTarget } from "../e2e/support/e2eTarget.js";
import { startAndCheck, startOrchestration, uniqueId } from "../e2e/support/app.js";
import { expectJsonError, send, type HttpResult } from "../e2e/support/http.js";
import { pollUntil } from "../e2e/support/poll.js";
import { readStatus, terminate, waitForCompletion, waitForStatus, type CheckStatusPayload } from "../e2e/support/durable.js";
import { MUTATING_METHODS, registeredHttpRoutes } from "./support/registeredRoutes.js";
import { closedLoopbackPort, RedirectingEndpoint } from "./support/redirectingEndpoint.js";
import { changesBetween, snapshotTaskHub } from "./support/taskHubSnapshot.js";
import { recordFigures } from "./support/figures.js";

/**
 * Issue 4, part 6: function-level auth on every mutating route; the monitor's URL policy (schemes,
 * MONITOR_ALLOWED_HOSTS and every spelling of a refused host, redirects); the local host reachable
 * on loopback only; and no key or connection string in the host's log.
 */

/** Sent as ?code= and x-functions-key with every request of the log case; must never be logged. */
const FUNCTION_KEY = `fk${randomBytes(16).toString("hex")}`;
const INSTRUMENTATION_KEY = randomUUID();

/** An allowed host:port that answers (and redirects where told to). */
const allowed = new RedirectingEndpoint();
/** A host:port that is not allowed: a monitor bounced here by a redirect must never reach it. */
const refusedTarget = new RedirectingEndpoint();
/** An allowed host:port where nothing listens, for a check that fails and logs its error. */
let closedAllowedPort = 0;

beforeAll(async () => {
  await allowed.listen();
  await refusedTarget.listen();
  closedAllowedPort = await closedLoopbackPort();
});
afterAll(async () => {
  await allowed.close();
  await refusedTarget.close();
});

const target = useE2eTarget({
  name: "security",
  env: () => ({
    MONITOR_ALLOWED_HOSTS: `allowed.example,${allowed.hostAndPort},127.0.0.1:${closedAllowedPort}`,
    // Telemetry on, so that its key is in the host's environment; the ingestion endpoint is a closed
    // port, so nothing leaves the machine.
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${INSTRUMENTATION_KEY};IngestionEndpoint=https://127.0.0.1:${closedAllowedPort}/`,
  }),
});

describe("function-level auth (issue 4, part 6)", () => {
  it("every route that takes POST, PUT, DELETE or PATCH is registered with authLevel function, never anonymous", async () => {
    const routes = await registeredHttpRoutes();
    const mutating = routes.filter((route) => route.methods.some((method) => MUTATING_METHODS.has(method)));
    expect(mutating.length).toBeGreaterThan(0);
    expect(mutating.filter((route) => route.authLevel !== "function").map((route) => `${route.functionName}: ${String(route.authLevel)}`)).toEqual([]);
    // A route without methods takes every method, mutating ones included.
    expect(routes.filter((route) => route.methods.length === 0 && route.authLevel !== "function").map((route) => route.functionName)).toEqual([]);
    recordFigures({
      id: "6.1",
      title: "function-level auth on the mutating routes, from the app's registrations",
      figures: {
        "HTTP routes": routes.length,
        "mutating routes": mutating.length,
        "with authLevel function": mutating.filter((route) => route.authLevel === "function").length,
        anonymous: mutating.filter((route) => route.authLevel === "anonymous").length,
      },
    });
  });
});

type Refusal = "scheme" | "host" | "port" | "credentials";

/** README: only http(s); with MONITOR_ALLOWED_HOSTS set, only the listed hosts, on the listed ports. */
const refusedMessages: Record<Refusal, RegExp> = {
  scheme: /^Only http and https URLs can be monitored, not [a-z]+\.$/,
  host: /^The host '[^']+' is not in MONITOR_ALLOWED_HOSTS\.$/,
  // 127.0.0.1 is listed, on this file's endpoint ports only: every other port on it is refused.
  port: /^The port \d+ on the host '[^']+' is not in MONITOR_ALLOWED_HOSTS\.$/,
  credentials: /^url must not carry credentials\.$/,
};

/** Monitor URLs the app must refuse under this file's MONITOR_ALLOWED_HOSTS; ports filled in at run time. */
function refusedMonitorUrls(): ReadonlyArray<readonly [url: string, refusal: Refusal]> {
  const refusedPort = new URL(refusedTarget.url("/")).port;
  return [
    ["file:///etc/passwd", "scheme"],
    ["ftp://allowed.example/", "scheme"],
    ["gopher://allowed.example:70/_GET", "scheme"],
    ["data:text/plain,healthy", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["ws://allowed.example/", "scheme"],
    ["http://169.254.169.254/latest/meta-data/", "host"],
    ["http://169.254.169.254:80/metadata/instance?api-version=2021-02-01", "host"],
    ["http://2852039166/", "host"],
    ["http://localhost/", "host"],
    [`http://localhost:${new URL(allowed.url("/")).port}/`, "host"],
    ["http://[::1]/", "host"],
    [`http://[::1]:${new URL(allowed.url("/")).port}/`, "host"],
    ["http://[::ffff:127.0.0.1]/", "host"],
    ["http://0.0.0.0/", "host"],
    ["http://0/", "host"],
    ["http://10.0.0.4:6379/", "host"],
    ["http://internal-redis:6379/", "host"],
    ["http://allowed.example.evil.test/", "host"],
    ["http://evil.test/?allowed.example", "host"],
    ["http://evil.test#@allowed.example/", "host"],
    ["http://127.0.0.1/", "port"],
    ["https://127.0.0.1/", "port"],
    [`http://127.0.0.1:${refusedPort}/trap`, "port"],
    ["http://2130706433/", "port"],
    ["http://0x7f.0.0.1/", "port"],
    ["http://0x7f000001/", "port"],
    ["http://0177.0.0.1/", "port"],
    ["http://127.1/", "port"],
    ["HTTP://127.0.0.1/", "port"],
    ["http://allowed.example:8080/", "port"],
    ["http://allowed.example@127.0.0.1/", "credentials"],
    ["http://allowed.example:pw@127.0.0.1/", "credentials"],
    [`http://user@${allowed.hostAndPort}/`, "credentials"],
  ];
}

function monitorRequest(url: string, expectStatus = 200): Record<string, unknown> {
  return { url, expect: { status: expectStatus }, intervalSeconds: 5, expiryMinutes: 5 };
}

function countByStatus(results: readonly HttpResult[], from: number, to: number): number {
  return results.filter((result) => result.status >= from && result.status < to).length;
}

describeWithOwnHost("the monitor's URL policy, loopback only, no secrets in the log (issue 4, part 6)", {}, () => {
  /** A check-status payload of this hub, for listing it; set by the first case. */
  let hubPayload: CheckStatusPayload | undefined;

  it("does not follow a redirect from an allowed host to a refused one (and starts a monitor on an allowed host)", async () => {
    const trapPath = "/trap";
    const bounce = allowed.redirect("/bounce", refusedTarget.url(trapPath));
    // expect 302: met on the first check, which saw the redirect itself.
    const sawRedirect = await startAndCheck(target, "Monitor", { json: monitorRequest(bounce, 302) });
    hubPayload = sawRedirect;
    const met = await waitForCompletion(sawRedirect.statusQueryGetUri);
    expect(met.output).toEqual({ status: "met", checks: 1 });

    // expect 200: only following the redirect (to an endpoint that answers 200) would meet it.
    const wantsOk = await startAndCheck(target, "Monitor", { json: monitorRequest(bounce, 200) });
    const checked = await waitForStatus(wantsOk.statusQueryGetUri, "the first check", (status) => (status.customStatus as { checks?: number } | null)?.checks === 1);
    expect(checked.customStatus).toMatchObject({ checks: 1, lastStatus: 302 });
    expect((await terminate(wantsOk, "security test done")).status).toBe(202);
    await waitForStatus(wantsOk.statusQueryGetUri, "the termination", (status) => status.runtimeStatus === "Terminated");

    expect(allowed.requests("/bounce")).toBe(2);
    expect(refusedTarget.totalRequests).toBe(0);
    recordFigures({
      id: "6.3",
      title: "a monitor on an allowed host that redirects to a refused one",
      figures: {
        "checks on the allowed host": allowed.requests("/bounce"),
        "status the check saw": String((checked.customStatus as { lastStatus?: unknown }).lastStatus),
        "requests reaching the refused host": refusedTarget.totalRequests,
      },
    });
  });

  it("refuses non-http(s) schemes, and every host and port MONITOR_ALLOWED_HOSTS does not list, on both starters, starting nothing", async () => {
    if (hubPayload === undefined) throw new Error("The redirect case did not run first.");
    const before = await snapshotTaskHub(hubPayload);
    const cases = refusedMonitorUrls();
    const results: HttpResult[] = [];
    const failures: string[] = [];
    await Promise.all(
      cases.flatMap(([url, refusal]) =>
        [undefined, uniqueId("mon")].map(async (instanceId) => {
          const result = await startOrchestration(target, "Monitor", { json: monitorRequest(url), ...(instanceId === undefined ? {} : { instanceId }) });
          results.push(result);
          try {
            expectJsonError(result, 400, "invalid_url", refusedMessages[refusal]);
          } catch (error) {
            failures.push(`${url} (${refusal}): ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`);
          }
        }),
      ),
    );
    expect(failures).toEqual([]);

    const after = await snapshotTaskHub(hubPayload);
    const changes = changesBetween(before, after);
    expect(changes.instancesStartedOrChanged).toEqual([]);
    expect(refusedTarget.totalRequests).toBe(0);
    // Counted from the answers: each refusal's message says which rule refused it.
    const refusedCount = (refusal: Refusal): number =>
      results.filter((result) => refusedMessages[refusal].test(String((result.json as { message?: unknown } | undefined)?.message))).length;
    recordFigures({
      id: "6.2",
      title: "monitor URLs refused with MONITOR_ALLOWED_HOSTS set (generic and singleton starters)",
      figures: {
        requests: results.length,
        "400 invalid_url": results.filter((result) => result.status === 400 && (result.json as { error?: unknown } | undefined)?.error === "invalid_url").length,
        "5xx": countByStatus(results, 500, 600),
        "schemes refused": refusedCount("scheme"),
        "hosts refused": refusedCount("host"),
        "ports refused": refusedCount("port"),
        "credentials refused": refusedCount("credentials"),
        "instances started": changes.instancesStartedOrChanged.length,
      },
    });
  });

  const nonLoopback = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === "IPv4" && !address.internal);

  it.skipIf(nonLoopback === undefined)(
    `listens on 127.0.0.1 only: a connection to its port on the machine's own non-loopback address is refused${nonLoopback === undefined ? " [skipped: this machine has no non-loopback IPv4 address]" : ""}`,
    async () => {
      const address = nonLoopback?.address ?? "";
      const port = Number(new URL(target.baseUrl).port);
      const outcome = await new Promise<string>((resolve) => {
        const socket = createConnection({ host: address, port, timeout: 5_000 });
        socket.once("connect", () => {
          socket.destroy();
          resolve("connected");
        });
        socket.once("timeout", () => {
          socket.destroy();
          resolve("timed out");
        });
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      expect(outcome, `connecting to ${address}:${port}`).toBe("ECONNREFUSED");
      recordFigures({
        id: "6.4",
        title: "the local host's port from the machine's non-loopback address",
        figures: { "connection attempts": 1, refused: outcome === "ECONNREFUSED" ? 1 : 0 },
      });
    },
  );

  it("never writes the storage account key, the instrumentation key or a function key to its log, failing requests included", async () => {
    const accountKey = /AccountKey=([^;]+)/.exec(inject("azuriteConnectionString"))?.[1];
    if (accountKey === undefined) throw new Error("The run's Azurite connection string has no AccountKey.");
    const keyHeaders = { "x-functions-key": FUNCTION_KEY };
    const withKey = (path: string): string => target.url(`${path}${path.includes("?") ? "&" : "?"}code=${FUNCTION_KEY}`);

    // A monitor whose check fails (nothing listens) logs the URL it could not reach: origin and path only.
    const failing = await startAndCheck(target, "Monitor", {
      json: monitorRequest(`http://127.0.0.1:${closedAllowedPort}/health?code=${FUNCTION_KEY}&sig=${FUNCTION_KEY}`),
    });
    const bounce = allowed.url(`/met?code=${FUNCTION_KEY}`);
    const met = await startAndCheck(target, "Monitor", { json: monitorRequest(bounce) });

    const requests: Array<Promise<HttpResult>> = [
      send("POST", withKey("/api/orchestrators/E1_HelloSequence"), { headers: keyHeaders }),
      send("POST", withKey("/api/orchestrators/Nope"), { headers: keyHeaders }),
      send("POST", withKey(`/api/orchestrators/E3_Counter/${uniqueId("c")}`), { headers: keyHeaders, data: "1.5" }),
      send("POST", withKey("/api/counter/add?value=NaN"), { headers: keyHeaders }),
      send("POST", withKey("/api/counter/add"), { headers: keyHeaders, data: JSON.stringify("x".repeat(1024 * 1024)) }),
      send("GET", withKey(`/api/counter/${uniqueId("none")}`), { headers: keyHeaders }),
      send("GET", withKey(`/api/e3counter/${encodeURIComponent("a?b")}`), { headers: keyHeaders }),
      send("POST", withKey(`/api/e3counter/${uniqueId("none")}/incr`), { headers: keyHeaders }),
      send("POST", withKey("/api/approvals"), { headers: keyHeaders, data: "{" }),
      send("POST", withKey(`/api/approvals/${uniqueId("none")}/decision`), { headers: keyHeaders, data: '{"approved":true,"by":"ben"}' }),
      send("PUT", withKey("/api/approvals"), { headers: keyHeaders }),
      send("GET", withKey("/api/no/such/route"), { headers: keyHeaders }),
      send("GET", withKey(`/runtime/webhooks/durabletask/instances/${uniqueId("none")}`), { headers: keyHeaders }),
      send("POST", withKey(`/runtime/webhooks/durabletask/instances/${uniqueId("none")}/raiseEvent/operation`), { headers: keyHeaders, json: "incr" }),
      send("POST", withKey("/api/orchestrators/Monitor"), { headers: keyHeaders, json: monitorRequest(`http://169.254.169.254/?code=${FUNCTION_KEY}`) }),
    ];
    const results = await Promise.all(requests);
    expect(countByStatus(results, 500, 600)).toBe(0);
    const aborted = await abortMidBody(withKey("/api/counter/add"));

    await waitForStatus(failing.statusQueryGetUri, "the failing check", (status) => (status.customStatus as { lastError?: unknown } | null)?.lastError !== undefined);
    await waitForCompletion(met.statusQueryGetUri);
    await terminate(failing, "security test done");
    await waitForStatus(failing.statusQueryGetUri, "the termination", (status) => status.runtimeStatus === "Terminated");
    expect((await readStatus(met.statusQueryGetUri))?.output).toEqual({ status: "met", checks: 1 });

    const readLog = (): Promise<string> => Promise.resolve(target.host.logSince(0, Number.MAX_SAFE_INTEGER));
    // The host logs the aborted request once it notices the client left.
    const log = await pollUntil("the host to log the aborted request", readLog, (text) => text.includes("Request POST /api/counter/add?… failed"), { timeoutMs: 5_000 });
    const lines = log.split("\n");
    // The log holds what these requests caused, so its silence about the keys means something.
    expect(log).toContain(`No response from http://127.0.0.1:${closedAllowedPort}/health:`);
    expect(log).toContain(`Monitor condition met for ${allowed.url("/met")} after 1 check(s).`);
    expect(log).toContain("Executed 'Functions.HttpStart'");
    const secrets = { "storage account key": accountKey, "instrumentation key": INSTRUMENTATION_KEY, "function key": FUNCTION_KEY };
    const leaks = Object.entries(secrets).flatMap(([name, secret]) => lines.filter((line) => line.includes(secret)).map((line) => `${name}: ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
    recordFigures({
      id: "6.5",
      title: "keys and connection strings in the host's log after routes were called with a function key, failing ones included",
      figures: {
        "requests with the key": results.length + (aborted ? 1 : 0),
        "4xx answers": countByStatus(results, 400, 500),
        "5xx answers": countByStatus(results, 500, 600),
        "log lines read": lines.length,
        "secrets checked": Object.keys(secrets).length,
        "lines with a secret": leaks.length,
      },
    });
  });
});

/**
 * A request whose client goes away halfway through its body: the host fails reading it, which is
 * where a host logs the request line (URL and query string included). Resolves true once sent.
 */
async function abortMidBody(url: string): Promise<boolean> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise<boolean>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () => {
      socket.write(`POST ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"value":`);
      setTimeout(() => {
        socket.destroy();
        resolve(true);
      }, 200);
    });
    socket.once("error", reject);
  });
}
