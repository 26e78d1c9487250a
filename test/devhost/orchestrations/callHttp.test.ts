import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A long-running operation behind the 202 + Location pattern: two polls answer 202, the third 200. */
const seen: Seen[] = [];
let polls = 0;
const server: Server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk: Buffer) => (body += chunk.toString()));
  request.on("end", () => {
    seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
    if (request.url === "/start") {
      response.writeHead(202, { Location: "/status/1", "Retry-After": "2" }).end("accepted");
    } else if (request.url === "/status/1") {
      polls += 1;
      if (polls < 2) response.writeHead(202, { Location: "/status/1" }).end();
      else response.writeHead(200, { "content-type": "application/json" }).end('{"done":true}');
    } else {
      response.writeHead(404).end();
    }
  });
});

/** What callHttp resolves to (durable-functions does not export its DurableHttpResponse type). */
interface HttpResponse {
  statusCode: number;
  content?: string;
  headers?: Record<string, string>;
}

interface HttpCall {
  url: string;
  enablePolling?: boolean;
  tokenSource?: boolean;
}

df.app.orchestration("Http_Call", function* (context: OrchestrationContext) {
  const { url, enablePolling, tokenSource } = context.df.getInput<HttpCall>();
  try {
    const response = (yield context.df.callHttp({
      method: "POST",
      url,
      body: { order: 7 },
      headers: { "x-functions-key": "secret", "X-Trace": "t-1" },
      ...(enablePolling === undefined ? {} : { enablePolling }),
      ...(tokenSource === true ? { tokenSource: new df.ManagedIdentityTokenSource("https://management.core.windows.net/.default") } : {}),
    })) as HttpResponse;
    return { statusCode: response.statusCode, content: response.content, location: response.headers?.location };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
});

const app = useRegistryInvoker();
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("callHttp", () => {
  it("polls a 202's Location (Retry-After, else the default 30 s) until the answer is final", async () => {
    seen.length = 0;
    polls = 0;
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Http_Call", { url: `${base}/start` });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ statusCode: 200, content: '{"done":true}' });
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual(["POST /start", "GET /status/1", "GET /status/1"]);
    expect(seen[0]?.body).toBe('{"order":7}');
    expect(seen[0]?.headers).toMatchObject({ "content-type": "text/plain", "x-functions-key": "secret", "x-trace": "t-1" });
    // The extension's polls keep the headers but not the function key.
    expect(seen[1]?.headers["x-trace"]).toBe("t-1");
    expect(seen[1]?.headers["x-functions-key"]).toBeUndefined();
    expect(hub.events(id, EventType.TimerCreated).map((event) => [event.TimerId, event.FireAt])).toEqual([
      [1, new Date(T0.getTime() + 2000).toISOString()],
      [3, new Date(T0.getTime() + 2000 + 30_000).toISOString()],
    ]);
    expect(hub.events(id, EventType.TaskScheduled).map((event) => [event.TaskScheduledId, event.Name])).toEqual([
      [0, "BuiltIn::HttpActivity"],
      [2, "BuiltIn::HttpActivity"],
      [4, "BuiltIn::HttpActivity"],
    ]);
  });

  it("returns the 202 itself when polling is off", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Http_Call", { url: `${base}/start`, enablePolling: false });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ statusCode: 202, content: "accepted", location: "/status/1" });
  });

  it("fails the task, not the host, for a managed identity token source", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Http_Call", { url: `${base}/start`, tokenSource: true });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ error: expect.stringContaining("names a tokenSource (a managed identity token), which this host cannot obtain") as unknown });
  });

  it("fails the task when nothing answers", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Http_Call", { url: `http://127.0.0.1:${port}/gone?code=key-in-the-url` });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ error: expect.stringMatching(/^fetch failed: connect ECONNREFUSED/) as unknown });
    const warnings = hub.logger.lines.filter((line) => line.level === "warning").map((line) => line.message);
    expect(warnings).toContainEqual(expect.stringContaining(`callHttp POST http://127.0.0.1:${port}/gone?… failed`));
    expect(warnings.join("\n")).not.toContain("key-in-the-url");
  });
});
