import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { ActivityNames } from "../../src/names.js";
import { CHECK_TIMEOUT_MS, type CheckRequest } from "../../src/functions/monitor.js";

/**
 * CheckEndpoint against real HTTP servers on the loopback interface, and SendAlert's log line, both
 * through the SDK's activity wrapper.
 */

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];

async function startServer(handler: RequestHandler): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
}

const MiB = 1024 * 1024;

function streamForever(response: ServerResponse): void {
  const chunk = "z".repeat(64 * 1024);
  const write = (): void => {
    while (!response.destroyed && response.write(chunk));
    if (!response.destroyed) response.once("drain", write);
  };
  write();
}

let target: string;
/** Requests the target server received, as "METHOD path". */
const targetRequests: string[] = [];
let redirectTarget: string;
let redirectTargetHits = 0;

async function callActivity(name: string, input: unknown, logs: LogLine[] = []): Promise<unknown> {
  const fn = registeredFunction(name);
  return await fn.handler(input, invocationContext(fn, logs));
}

function checkEndpoint(input: CheckRequest, logs: LogLine[] = []): Promise<unknown> {
  return callActivity(ActivityNames.checkEndpoint, input, logs);
}

beforeAll(async () => {
  await loadApp();
  ({ baseUrl: redirectTarget } = await startServer((_request, response) => {
    redirectTargetHits += 1;
    response.writeHead(200, { "Content-Type": "text/plain" }).end("you were redirected");
  }));
  // The redirect names another host (localhost, not 127.0.0.1) on the second server's port.
  const redirectLocation = `${redirectTarget.replace("127.0.0.1", "localhost")}/landing`;
  ({ baseUrl: target } = await startServer((request, response) => {
    targetRequests.push(`${request.method ?? ""} ${request.url ?? ""}`);
    switch (request.url) {
      case "/ok":
        response.writeHead(200, { "Content-Type": "text/plain" }).end("all systems operational");
        return;
      case "/unavailable":
        response.writeHead(503, { "Content-Type": "text/plain" }).end("down for maintenance");
        return;
      case "/stalls-after-first-chunk":
        // Sends the text and then neither more data nor the end of the body.
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.write("status: healthy\n");
        return;
      case "/endless":
        // An endless body without the text: writes as fast as the client reads, until it hangs up.
        response.writeHead(200, { "Content-Type": "text/plain" });
        streamForever(response);
        return;
      case "/large": {
        // The text once just inside the first MiB and once just after it.
        const filler = "x".repeat(MiB - "inside".length);
        response.writeHead(200, { "Content-Type": "text/plain" }).end(`${filler}inside${"y".repeat(1000)}outside`);
        return;
      }
      case "/redirect":
        response.writeHead(302, { Location: redirectLocation }).end();
        return;
      default:
        response.writeHead(404).end("not found");
    }
  }));
});

afterEach(() => {
  targetRequests.length = 0;
  delete process.env.MONITOR_ALLOWED_HOSTS;
});

afterAll(async () => {
  await Promise.all(servers.map(closeServer));
});

describe("CheckEndpoint", () => {
  it("reports only the status when no body text is expected", async () => {
    await expect(checkEndpoint({ url: `${target}/ok` })).resolves.toEqual({ status: 200 });
    await expect(checkEndpoint({ url: `${target}/unavailable` })).resolves.toEqual({ status: 503 });
    expect(targetRequests).toEqual(["GET /ok", "GET /unavailable"]);
  });

  it("reports whether the body contains the expected text", async () => {
    await expect(checkEndpoint({ url: `${target}/ok`, bodyContains: "operational" })).resolves.toEqual({
      status: 200,
      bodyMatched: true,
    });
    await expect(checkEndpoint({ url: `${target}/ok`, bodyContains: "degraded" })).resolves.toEqual({
      status: 200,
      bodyMatched: false,
    });
    await expect(checkEndpoint({ url: `${target}/unavailable`, bodyContains: "maintenance" })).resolves.toEqual({
      status: 503,
      bodyMatched: true,
    });
  });

  it("reports a match as soon as the text arrives, even if the body never ends", async () => {
    const started = Date.now();

    await expect(checkEndpoint({ url: `${target}/stalls-after-first-chunk`, bodyContains: "healthy" })).resolves.toEqual({
      status: 200,
      bodyMatched: true,
    });
    expect(Date.now() - started).toBeLessThan(CHECK_TIMEOUT_MS);
  });

  it("reads at most the first MiB of the body", async () => {
    await expect(checkEndpoint({ url: `${target}/large`, bodyContains: "inside" })).resolves.toEqual({
      status: 200,
      bodyMatched: true,
    });
    await expect(checkEndpoint({ url: `${target}/large`, bodyContains: "outside" })).resolves.toEqual({
      status: 200,
      bodyMatched: false,
    });
  });

  it("stops reading an endless body after the first MiB", async () => {
    const started = Date.now();

    await expect(checkEndpoint({ url: `${target}/endless`, bodyContains: "healthy" })).resolves.toEqual({
      status: 200,
      bodyMatched: false,
    });
    expect(Date.now() - started).toBeLessThan(CHECK_TIMEOUT_MS);
  });

  it("reports an error, not a status, when nothing answers", async () => {
    // CHECK_TIMEOUT_MS is a 10 s constant with no override, so a server that never answers would
    // cost 10 s; a port nobody listens on gives the same no-response path (connection refused).
    const { server, baseUrl } = await startServer(() => undefined);
    await closeServer(server);

    await expect(checkEndpoint({ url: `${baseUrl}/ok` })).resolves.toEqual({
      error: expect.stringMatching(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) as unknown,
    });
  });

  it("logs a missing response with the URL's origin and path only, never its query string", async () => {
    const { server, baseUrl } = await startServer(() => undefined);
    await closeServer(server);
    const logs: LogLine[] = [];

    const observation = await checkEndpoint({ url: `${baseUrl}/health?code=s3cret-token#frag` }, logs);

    expect(logs).toEqual([
      { level: "information", message: expect.stringMatching(new RegExp(`^No response from ${baseUrl}/health: fetch failed: `)) as unknown },
    ]);
    expect(JSON.stringify(logs)).not.toContain("s3cret");
    expect(JSON.stringify(observation)).not.toContain("s3cret");
  });

  it("does not follow a redirect to another host", async () => {
    await expect(checkEndpoint({ url: `${target}/redirect` })).resolves.toEqual({ status: 302 });
    await expect(checkEndpoint({ url: `${target}/redirect`, bodyContains: "redirected" })).resolves.toEqual({
      status: 302,
      bodyMatched: false,
    });
    expect(targetRequests).toEqual(["GET /redirect", "GET /redirect"]);
    expect(redirectTargetHits).toBe(0);
  });

  it("refuses a URL that is not http or https", async () => {
    await expect(checkEndpoint({ url: "ftp://x" })).rejects.toThrow("Only http and https URLs can be monitored, not ftp.");
  });

  it("refuses a host that MONITOR_ALLOWED_HOSTS does not list, without contacting it", async () => {
    process.env.MONITOR_ALLOWED_HOSTS = "example.com";

    await expect(checkEndpoint({ url: `${target}/ok` })).rejects.toThrow(
      "The host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.",
    );
    expect(targetRequests).toEqual([]);
  });

  it("checks a host and port that MONITOR_ALLOWED_HOSTS lists", async () => {
    process.env.MONITOR_ALLOWED_HOSTS = `example.com, ${new URL(target).host}`;

    await expect(checkEndpoint({ url: `${target}/ok` })).resolves.toEqual({ status: 200 });
    expect(targetRequests).toEqual(["GET /ok"]);
  });

  it("refuses a listed host on a port the list does not name, without contacting it", async () => {
    const { port } = new URL(target);
    process.env.MONITOR_ALLOWED_HOSTS = "example.com, 127.0.0.1";

    await expect(checkEndpoint({ url: `${target}/ok` })).rejects.toThrow(
      `The port ${port} on the host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.`,
    );
    process.env.MONITOR_ALLOWED_HOSTS = "127.0.0.1:1";
    await expect(checkEndpoint({ url: `${target}/ok` })).rejects.toThrow(
      `The port ${port} on the host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.`,
    );
    expect(targetRequests).toEqual([]);
  });

  it("fails, contacting nothing, when MONITOR_ALLOWED_HOSTS holds a malformed entry", async () => {
    process.env.MONITOR_ALLOWED_HOSTS = `${new URL(target).host}, https://example.com`;

    await expect(checkEndpoint({ url: `${target}/ok` })).rejects.toThrow(
      "MONITOR_ALLOWED_HOSTS: 'https://example.com' is not a host name with an optional port, such as example.com or example.com:8443.",
    );
    expect(targetRequests).toEqual([]);
  });
});

describe("SendAlert", () => {
  it("logs a warning naming the URL and the number of checks", async () => {
    const logs: LogLine[] = [];
    const result = await callActivity(
      ActivityNames.sendAlert,
      { url: "https://example.com/health", observation: { status: 200 }, checks: 3 },
      logs,
    );

    expect(result).toBeUndefined();
    expect(logs).toEqual([{ level: "warning", message: "Monitor condition met for https://example.com/health after 3 check(s)." }]);
  });

  it("names the URL by origin and path only: its query string may carry a token", async () => {
    const logs: LogLine[] = [];
    await callActivity(
      ActivityNames.sendAlert,
      { url: "https://status.example.com:8443/health?code=s3cret-token&x=1#frag", observation: { status: 200 }, checks: 1 },
      logs,
    );

    expect(logs).toEqual([
      { level: "warning", message: "Monitor condition met for https://status.example.com:8443/health after 1 check(s)." },
    ]);
  });
});
