import { request as httpRequest } from "node:http";
import { createConnection } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, type FixtureBuild } from "../fixtures/support/buildFixtures.js";
import { HostProcess, type HostMessage } from "../fixtures/support/HostProcess.js";

/**
 * The HTTP server end to end: the fixture app (fixtures/apps/httpApp) loaded by the devhost's
 * loader and served by HttpServer in a child process under plain Node, driven with real fetch.
 */

let build: FixtureBuild;
let host: HostProcess;
let base: string;

beforeAll(async () => {
  build = await buildFixtures();
  host = new HostProcess(build.driver, "serve", build.app("httpApp"));
  const listening = await host.waitFor("listening");
  base = `http://127.0.0.1:${String(listening.port)}`;
});

afterAll(async () => {
  await host.stop();
  await build.remove();
});

async function get(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${base}${path}`, init);
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const HTTP_REASON = "This function was programmatically called via the host APIs.";
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The invocation id of the last "Executing" line for the function. */
async function lastInvocationId(functionName: string): Promise<string> {
  const line = `Executing 'Functions\\.${functionName}' \\(Reason='${escape(HTTP_REASON)}', Id=(${UUID})\\)`;
  await host.waitForOutput(new RegExp(line));
  const id = [...host.stdout.matchAll(new RegExp(line, "g"))].map((found) => found[1]).at(-1);
  if (id === undefined) throw new Error(`No Executing line for ${functionName}`);
  return id;
}

describe("routing", () => {
  it("serves a function at api/<name> for GET and POST, the library's default methods", async () => {
    const greeting = await get("/api/hello?name=Ann");
    expect(greeting.status).toBe(200);
    expect(await greeting.text()).toBe("Hello, Ann");
    expect(await (await get("/api/Hello", { method: "POST", body: "Bea" })).text()).toBe("Hello, Bea");
    const put = await get("/api/hello", { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
  });

  it("answers 404 with an empty body where no route matches", async () => {
    for (const path of ["/api/nothing-here", "/hello", "/api/items//x"]) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe("");
    }
  });

  it("answers 405 with an Allow header when the path matches but the method does not", async () => {
    const wrong = await get("/api/methods");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("PUT, DELETE");
    expect(await wrong.text()).toBe("");
    expect(await (await get("/api/methods", { method: "DELETE" })).text()).toBe("put or delete");
    const head = await get("/api/hello", { method: "HEAD" });
    expect(head.status).toBe(405);
  });

  it.each([
    ["/api/items/special", "eSpecial", {}],
    ["/api/Items/SPECIAL", "eSpecial", {}],
    ["/api/items/42", "dById", { id: "42" }],
    ["/api/items/abc", "cByName", { name: "abc" }],
    ["/api/items/abc/more", "bOptional", { name: "abc", detail: "more" }],
    ["/api/items/a/b/c", "aAnything", { rest: "a/b/c" }],
    ["/api/items/caf%C3%A9%20au%20lait", "cByName", { name: "café au lait" }],
  ])("routes %s to %s, the most specific route", async (path, name, params) => {
    expect(await (await get(path)).json()).toEqual({ name, params });
  });

  it("lets a trigger without methods take any method", async () => {
    for (const method of ["PATCH", "OPTIONS", "DELETE"]) expect((await get("/api/echo/x", { method })).status).toBe(200);
    const head = await get("/api/echo/x", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("maps no route for functions the host refuses, and logs why", async () => {
    expect((await get("/api/admin/thing")).status).toBe(404);
    expect(await (await get("/api/conflict")).text()).toBe("first");
    expect((await get("/api/conflict", { method: "POST" })).status).toBe(405);
    await host.waitForOutput(/The 'conflictSecond' function is in error/, "stderr");
    expect(host.stderr).toContain("The 'reservedRoute' function is in error: The specified route conflicts with one or more built in routes.");
    expect(host.stderr).toContain("The 'conflictSecond' function is in error: The route specified conflicts with the route defined by function 'conflictFirst'.");
  });
});

describe("the request the function sees", () => {
  it("has the method, URL, lower-cased headers, query, decoded route params, body, user and traceparent", async () => {
    const principal = Buffer.from(JSON.stringify({ identityProvider: "github", userId: "u-1", userDetails: "ann", userRoles: ["anonymous"] })).toString("base64");
    const traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const response = await get("/api/echo/a%20b/c%2Fd?x=1&X=2&y=&flag", {
      method: "POST",
      headers: { "X-Test": "yes", "x-ms-client-principal": principal, traceparent: traceParent, "content-type": "text/plain" },
      body: "the body",
    });
    const seen = (await response.json()) as Record<string, unknown>;
    expect(seen).toMatchObject({
      method: "POST",
      url: `${base}/api/echo/a%20b/c%2Fd?x=1&X=2&y=&flag`,
      params: { rest: "a b/c%2Fd" },
      query: [
        ["x", "1,2"],
        ["y", ""],
        ["flag", ""],
      ],
      body: "the body",
      user: { type: "StaticWebApps", id: "u-1", username: "ann", identityProvider: "github" },
      traceParent,
    });
    expect(seen.headers).toMatchObject({ "x-test": "yes", "content-type": "text/plain", "content-length": "8" });
  });

  it("gets a fresh traceparent when the caller sends none or an invalid one", async () => {
    const headerSets: Record<string, string>[] = [{}, { traceparent: "not-a-traceparent" }];
    for (const headers of headerSets) {
      const { traceParent } = (await (await get("/api/echo/t", { headers })).json()) as { traceParent: string };
      expect(traceParent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
    }
  });

  it.each([
    ["json", { body: JSON.stringify({ a: [1, 2] }), headers: { "content-type": "application/json" } }, { value: { a: [1, 2] } }],
    ["arrayBuffer", { body: new Uint8Array([1, 2, 3, 4, 5]) }, { byteLength: 5 }],
    ["blob", { body: new Blob([new Uint8Array(7)], { type: "image/png" }) }, { size: 7, type: "image/png" }],
  ])("reads the body as %s", async (as, init, expected) => {
    expect(await (await get(`/api/read/${as}`, { method: "POST", ...init })).json()).toEqual(expected);
  });

  it("reads a multipart body as formData", async () => {
    const form = new FormData();
    form.append("field", "value");
    form.append("file", new Blob(["file text"], { type: "text/plain" }), "notes.txt");
    expect(await (await get("/api/read/formData", { method: "POST", body: form })).json()).toEqual({ field: "value", file: { size: 9, text: "file text" } });
  });

  it("gets no body from a chunked request, as the host sends none without a Content-Length", async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const response = await get("/api/read/text", { method: "POST", body, duplex: "half" });
    expect(await response.text()).toBe("");
  });

  it("refuses a body over 100 MB with 413, from its Content-Length, before reading it", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(`${base}/api/read/text`, { method: "POST", headers: { "content-length": String(100 * 1024 * 1024 + 1) } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on("error", reject);
      request.flushHeaders();
    });
    expect(status).toBe(413);
  });
});

describe("a request that fails in the host", () => {
  it("is logged by method and path, never with its query string, which can carry a function key", async () => {
    const key = "secret-function-key-4f1c";
    const { port } = new URL(base);
    // The client goes away halfway through its body: reading it fails, and the host logs the request.
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port: Number(port) }, () => {
        socket.write(`POST /api/read/text?code=${key}&x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\npartial`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.once("error", reject);
    });
    await host.waitForOutput(/Request POST \/api\/read\/text\?… failed: Error: aborted/, "stderr");
    expect(host.stderr + host.stdout).not.toContain(key);
  });
});

describe("the response the host writes", () => {
  it.each([
    ["string", 200, "text/plain;charset=UTF-8", "plain text"],
    ["buffer", 200, "application/octet-stream", "from a Buffer"],
    ["arrayBuffer", 200, null, "from an ArrayBuffer"],
    ["typedArray", 200, null, "HI!!"],
    ["blob", 200, "text/html", "<p>blob</p>"],
    ["urlSearchParams", 200, "application/x-www-form-urlencoded;charset=UTF-8", "a=1&b=two+words"],
    ["webStream", 200, null, "web stream"],
    ["nodeStream", 200, null, "node stream"],
    ["json", 200, "application/json", '{"hello":"world","list":[1,2]}'],
    ["jsonWithType", 200, "application/vnd.test+json", '{"typed":true}'],
    ["httpResponse", 201, "text/plain;charset=UTF-8", "created"],
    ["headersObject", 202, null, ""],
    ["noContent", 204, null, ""],
    ["nothing", 200, null, ""],
  ])("writes a %s body: status %i, content-type %s", async (kind, status, contentType, body) => {
    const response = await get(`/api/bodies/${kind}`);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(await response.text()).toBe(body);
  });

  it("writes the headers the function sets", async () => {
    const created = await get("/api/bodies/httpResponse");
    expect(created.headers.get("x-custom")).toBe("yes");
    expect(created.headers.get("location")).toBe("/api/thing/1");
    const fromHeaders = await get("/api/bodies/headersObject");
    expect([fromHeaders.headers.get("x-one"), fromHeaders.headers.get("x-two")]).toEqual(["1", "2"]);
  });

  it("writes a FormData body as multipart with its boundary", async () => {
    const response = await get("/api/bodies/formData");
    expect(response.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the client side of a test, parsing a small body it knows
    const form = await response.formData();
    expect(form.get("field")).toBe("value");
    const file = form.get("file");
    expect(file instanceof Blob ? await file.text() : file).toBe("file content");
  });

  it.each(["node", "web"])("streams a %s stream as it is produced, without buffering it", async (kind) => {
    // The second half waits for /api/release: a host that buffered the body would send nothing
    // (not even the headers) before it, and the request would time out.
    const response = await get(`/api/stream/${kind}`, { signal: AbortSignal.timeout(5_000) });
    const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
    if (reader === undefined) throw new Error("no body");
    const decoder = new TextDecoder();
    let received = "";
    while (!received.includes("first half|")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += decoder.decode(chunk.value, { stream: true });
    }
    expect(received).toBe("first half|");
    expect(await (await get("/api/release", { method: "POST" })).text()).toBe("released");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += decoder.decode(chunk.value, { stream: true });
    expect(received).toBe("first half|second half");
  });

  it("writes each cookie as a Set-Cookie header with all its attributes, as ASP.NET Core formats them", async () => {
    const response = await get("/api/cookies");
    expect(response.headers.getSetCookie()).toEqual([
      "fromHeader=1",
      "plain=a%20b%3Bc; path=/",
      "full=v; expires=Wed, 02 Jan 2030 03:04:05 GMT; max-age=3600; domain=example.test; path=/api; secure; samesite=strict; httponly",
      "lax=1; expires=Fri, 06 Jun 2031 00:00:00 GMT; path=/; samesite=lax",
      "none=1; path=/; secure; samesite=none",
    ]);
  });

  it("answers a function that throws with an empty 500 and logs the failure as Core Tools does", async () => {
    const response = await get("/api/boom");
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("");
    const id = await lastInvocationId("thrower");
    await host.waitForOutput(new RegExp(`Executed 'Functions\\.thrower' \\(Failed, Id=${id}, Duration=\\d+ms\\)`), "stderr");
    await host.waitForOutput(/Stack: Error: boom from the handler/, "stderr");
    expect(host.stderr).toContain("Exception while executing function: Functions.thrower. System.Private.CoreLib: Result: Failure\nException: boom from the handler\nStack: Error: boom from the handler");
  });

  it("answers 500 when the function returns something that is not a response", async () => {
    expect((await get("/api/bad")).status).toBe(500);
    const id = await lastInvocationId("badResult");
    await host.waitForOutput(new RegExp(`Executed 'Functions\\.badResult' \\(Failed, Id=${id}, Duration=\\d+ms\\)`), "stderr");
    expect(host.stderr).toContain('Exception: The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  });

  it("logs Executing and Executed around the function's own log lines", async () => {
    await get("/api/hello?name=Log");
    const id = await lastInvocationId("hello");
    await host.waitForOutput(new RegExp(`Executed 'Functions\\.hello' \\(Succeeded, Id=${id}`));
    const lines = host.logLines.filter((line) => line.includes(id) || line.endsWith("hello for Log"));
    expect(lines.map((line) => line.replace(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] /, ""))).toEqual([
      `Executing 'Functions.hello' (Reason='${HTTP_REASON}', Id=${id})`,
      "hello for Log",
      expect.stringMatching(new RegExp(`^Executed 'Functions\\.hello' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)$`)),
    ]);
  });
});

describe("durable client binding", () => {
  it("gives functions that declare a durable client input the host's binding data", async () => {
    const response = await get("/api/client/7", { method: "POST" });
    expect(await response.json()).toMatchObject({ id: "7", binding: { taskHubName: "FixtureHub", rpcBaseUrl: "http://127.0.0.1:17071/durabletask/" } });
  });

  it("is what durable-functions builds its client from", async () => {
    expect(await (await get("/api/client-hub")).text()).toBe("FixtureHub");
  });
});

describe("system routes", () => {
  it("serve their prefix ahead of the app, with the Fetch API request and response", async () => {
    const response = await get("/runtime/webhooks/durabletask/instances/abc?x=1", { method: "POST", body: "payload", headers: { "x-test": "through" } });
    expect(response.status).toBe(202);
    expect(response.headers.getSetCookie()).toEqual(["first=1", "second=2"]);
    expect(await response.json()).toEqual({ method: "POST", url: `${base}/runtime/webhooks/durabletask/instances/abc?x=1`, body: "payload", header: "through" });
    expect((await get("/Runtime/Webhooks/DurableTask/x")).status).toBe(202);
    expect(await (await get("/admin/host/status")).text()).toBe("admin");
  });
});

describe("shutdown", () => {
  it("closes promptly despite open keep-alive connections, then runs the appTerminate hooks", async () => {
    // fetch keeps its connections alive: a server that waited for them would take the keep-alive timeout.
    expect((await get("/api/hello?name=last")).status).toBe(200);
    expect(await host.stop()).toBe(0);
    const closed = host.messages.find((message) => message.event === "closed");
    expect(closed?.milliseconds).toBeLessThan(1_000);
    expect(host.messages.filter((message: HostMessage) => message.event === "hook")).toEqual([
      { event: "hook", hook: "appStart" },
      { event: "hook", hook: "appTerminate", hookData: { startedBy: "appStart" } },
    ]);
  });
});

describe("with other options", () => {
  let other: HostProcess;
  let otherBase: string;

  beforeAll(async () => {
    other = new HostProcess(build.driver, "serve", build.app("httpApp"), { routePrefix: "", maxRequestBodySize: 1024, methodMismatchStatus: 404 });
    otherBase = `http://127.0.0.1:${String((await other.waitFor("listening")).port)}`;
  });

  afterAll(async () => {
    await other.stop();
  });

  it("serves routes without a prefix when routePrefix is empty", async () => {
    expect(await (await fetch(`${otherBase}/hello?name=NoPrefix`)).text()).toBe("Hello, NoPrefix");
    expect((await fetch(`${otherBase}/api/hello`)).status).toBe(404);
  });

  it("answers 404, as the host does, for a method mismatch when told to", async () => {
    const response = await fetch(`${otherBase}/methods`);
    expect(response.status).toBe(404);
    expect(response.headers.get("allow")).toBeNull();
  });

  it("refuses a chunked body once it passes the limit", async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(800));
        controller.enqueue(new Uint8Array(800));
        controller.close();
      },
    });
    const response = await fetch(`${otherBase}/read/text`, { method: "POST", body, duplex: "half" });
    expect(response.status).toBe(413);
    const small = await fetch(`${otherBase}/read/text`, { method: "POST", body: "x".repeat(1024) });
    expect((await small.text()).length).toBe(1024);
  });
});
