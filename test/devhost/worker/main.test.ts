import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientBindingData } from "../../../devhost/client/clientBinding.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { buildFixtures, type FixtureBuild } from "../fixtures/support/buildFixtures.js";

/**
 * The realhost worker as the .NET host runs it: the built devhost/dist/worker/main.js in a child
 * process under plain Node, on the fixture app fixtures/apps/workerApp, driven over its /__worker/
 * routes and its HTTP port, and stopped by closing its stdin.
 */

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const WORKER_MAIN = path.join(REPO_ROOT, "devhost", "dist", "worker", "main.js");
const TOKEN = randomBytes(16).toString("hex");
const READY_LINE = /^realhost-worker ready (\{.*\})$/m;

/** A worker process (or a process that started one), with its output collected as text. */
class ChildOutput {
  stdout = "";
  stderr = "";
  /** The process's exit code; the worker's own once its stdout has closed. */
  readonly exited: Promise<number | null>;
  /** Resolves once every holder of the child's stdout pipe has closed it. */
  readonly stdoutClosed: Promise<void>;
  #exitCode: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    if (child.stdout === null || child.stderr === null) throw new Error("The child needs piped stdout and stderr.");
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.stdoutClosed = new Promise((resolve) => child.stdout?.once("close", () => resolve()));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        this.#exitCode = code;
        resolve(code);
      }),
    );
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Waits until stdout matches; fails as soon as the process has exited without it. */
  async waitForOutput(pattern: RegExp, stream: "stdout" | "stderr" = "stdout"): Promise<RegExpMatchArray> {
    for (;;) {
      const found = this[stream].match(pattern);
      if (found !== null) return found;
      if (!this.running) throw new Error(`The process exited (${String(this.#exitCode)}) before ${stream} matched ${String(pattern)}.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The environment the .NET host gives the worker: the app settings and (unless told otherwise) the token. */
function workerEnv({ withToken = true } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AzureWebJobsStorage: "UseDevelopmentStorage=true" };
  delete env.WEBSITE_HOSTNAME;
  delete env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  delete env.REALHOST_WORKER_TOKEN;
  if (withToken) env.REALHOST_WORKER_TOKEN = TOKEN;
  return env;
}

function startWorker(appRoot: string, env: NodeJS.ProcessEnv = workerEnv()): ChildOutput {
  return new ChildOutput(spawn(process.execPath, [WORKER_MAIN, "--app-root", appRoot], { env, stdio: ["pipe", "pipe", "pipe"] }));
}

async function readyPort(worker: ChildOutput): Promise<number> {
  const [, json = ""] = await worker.waitForOutput(READY_LINE);
  return (JSON.parse(json) as { port: number }).port;
}

/**
 * The worker runs the built devhost; a missing or stale build would test old code, so the suite
 * refuses to run on one and says what to do.
 */
function assertWorkerBuilt(): void {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${path.relative(REPO_ROOT, WORKER_MAIN)} does not exist: run \`npm run build\` first.`);
  const built = statSync(WORKER_MAIN).mtimeMs;
  const devhost = path.join(REPO_ROOT, "devhost");
  const newer = readdirSync(devhost, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.startsWith(`dist${path.sep}`) && statSync(path.join(devhost, file)).mtimeMs > built,
  );
  if (newer.length > 0) throw new Error(`devhost/${newer[0] ?? ""} is newer than the worker's build: run \`npm run build\` first.`);
}

let build: FixtureBuild;
let worker: ChildOutput;
let base: string;

beforeAll(async () => {
  assertWorkerBuilt();
  build = await buildFixtures();
  worker = startWorker(build.app("workerApp"));
  base = `http://127.0.0.1:${String(await readyPort(worker))}`;
});

afterAll(async () => {
  if (worker.running) worker.child.kill("SIGKILL");
  await build.remove();
});

const workerHeaders = { "x-realhost-worker-token": TOKEN, "content-type": "application/json" };

async function workerGet(route: string): Promise<Response> {
  return fetch(`${base}/__worker/${route}`, { headers: workerHeaders });
}

async function workerPost(route: string, body: unknown): Promise<Response> {
  return fetch(`${base}/__worker/${route}`, { method: "POST", headers: workerHeaders, body: JSON.stringify(body) });
}

type InvokeReply = { ok: true; data: Record<string, unknown> } | { ok: false; message: string; stack: string };

async function invoke(name: string, payload: string | null): Promise<InvokeReply> {
  const response = await workerPost("invoke", { name, payload });
  expect(response.status).toBe(200);
  return (await response.json()) as InvokeReply;
}

/** The orchestration trigger value of a first episode, as the extension writes it. */
function firstEpisode(input: unknown): string {
  const timestamp = "2026-01-05T09:00:00.000Z";
  return JSON.stringify({
    history: [
      { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: false, Timestamp: timestamp },
      { EventType: EventType.ExecutionStarted, EventId: -1, IsPlayed: false, Timestamp: timestamp, Name: "CallEcho", Input: JSON.stringify(input) },
    ],
    input,
    instanceId: "worker-test",
    isReplaying: false,
    parentInstanceId: null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
  });
}

/** A request with its own Host header, as the .NET front door forwards it (fetch does not let a caller set Host). */
async function getWithHost(pathAndQuery: string, host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, path: pathAndQuery, headers: { host } }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

describe("start", () => {
  it("prints the ready line once, alone on its line", () => {
    const readyLines = worker.stdout.split("\n").filter((line) => line.includes("realhost-worker ready"));
    expect(readyLines).toHaveLength(1);
    expect(readyLines[0]).toMatch(/^realhost-worker ready \{"port":\d+\}$/);
  });

  it("refuses to start without REALHOST_WORKER_TOKEN", async () => {
    const tokenless = startWorker(build.app("workerApp"), workerEnv({ withToken: false }));
    expect(await tokenless.exited).toBe(1);
    expect(tokenless.stderr).toContain("REALHOST_WORKER_TOKEN is not set");
    expect(tokenless.stdout).not.toContain("realhost-worker ready");
  });
});

describe("the /__worker/ routes", () => {
  it("lists the functions with their triggers, HTTP details only for HTTP triggers", async () => {
    const response = await workerGet("functions");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      routePrefix: "api",
      functions: [
        { name: "CallEcho", triggerType: "orchestrationTrigger" },
        { name: "GivesUp", triggerType: "orchestrationTrigger" },
        { name: "EchoType", triggerType: "activityTrigger" },
        { name: "Reply", triggerType: "activityTrigger" },
        { name: "Fails", triggerType: "activityTrigger" },
        { name: "FailsWithObject", triggerType: "activityTrigger" },
        { name: "HubName", triggerType: "activityTrigger" },
        { name: "Hello", triggerType: "httpTrigger", route: "hello/{name}", methods: ["GET"], authLevel: "anonymous" },
        { name: "ClientInfo", triggerType: "httpTrigger", route: "orchestrators/{functionName}", methods: ["POST"], authLevel: "function" },
        { name: "Bare", triggerType: "httpTrigger", route: "bare" },
      ],
    });
  });

  it("answers 401 without the token or with a wrong one", async () => {
    const attempts: Record<string, string>[] = [{}, { "x-realhost-worker-token": "wrong" }, { "x-realhost-worker-token": `${TOKEN}x` }];
    for (const headers of attempts) {
      const response = await fetch(`${base}/__worker/functions`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
    const invokeWithout = await fetch(`${base}/__worker/invoke`, { method: "POST", body: JSON.stringify({ name: "Reply", payload: "int" }) });
    expect(invokeWithout.status).toBe(401);
  });

  it("answers 404 for an unknown path and 405 for a wrong method", async () => {
    const unknown = await workerGet("nothing");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "not_found" });
    const wrongMethod = await workerGet("invoke");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect((await workerPost("functions", {})).status).toBe(405);
  });

  it("answers 400 for an invoke body without a name and a string or null payload", async () => {
    for (const body of [{}, { name: "Reply" }, { name: "Reply", payload: 42 }, [1], "text"]) {
      const response = await workerPost("invoke", body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_request" });
    }
    const notJson = await fetch(`${base}/__worker/invoke`, { method: "POST", headers: workerHeaders, body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("answers 404 for an unknown function and for an HTTP function", async () => {
    expect((await workerPost("invoke", { name: "NoSuchFunction", payload: "1" })).status).toBe(404);
    const http = await workerPost("invoke", { name: "Hello", payload: "{}" });
    expect(http.status).toBe(404);
    expect(((await http.json()) as { message: string }).message).toContain("HTTP function");
  });
});

describe("invoking a function", () => {
  it.each([
    ["int", { int: 42 }],
    ["double", { double: 2.5 }],
    ["string", { string: "plain text" }],
    ["json", { json: '{"nested":[1,true]}' }],
    ["boolean", { json: "true" }],
    ["nothing", {}],
    ["bytes", { bytes: Buffer.from("bytes!").toString("base64") }],
  ])("answers a %s result as TypedData", async (kind, data) => {
    expect(await invoke("Reply", JSON.stringify(kind))).toEqual({ ok: true, data });
  });

  it.each([
    ["123", "number", 123],
    ["True", "string", "True"],
    ['"abc"', "string", "abc"],
    ["true", "boolean", true],
    ["null", "null", null],
    ['{"a":1}', "object", { a: 1 }],
  ])("hands the payload %s to the function as JSON when it parses (%s)", async (payload, type, value) => {
    const reply = await invoke("EchoType", payload);
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(JSON.parse(reply.data.json as string)).toEqual({ type, value });
  });

  it("hands a null payload (an activity called without input) to the function as undefined", async () => {
    const reply = await invoke("EchoType", null);
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(JSON.parse(reply.data.json as string)).toEqual({ type: "undefined" });
  });

  it("answers a thrown Error with its message and stack, and logs the failure without Executing/Executed lines", async () => {
    const reply = await invoke("Fails", '{"why":"testing"}');
    expect(reply).toEqual({ ok: false, message: 'Fails was asked to fail with {"why":"testing"}', stack: expect.stringMatching(/^Error: Fails was asked to fail[^\n]*\n\s+at /) as unknown });
    await worker.waitForOutput(/Exception while executing function: Functions\.Fails\b/, "stderr");
    expect(worker.stdout + worker.stderr).not.toMatch(/Execut(ing|ed) 'Functions\.Fails'/);
  });

  it("answers a thrown non-Error as the Node worker does: JSON for an object, no stack", async () => {
    expect(await invoke("FailsWithObject", "null")).toEqual({ ok: false, message: '{"code":42}', stack: "" });
  });

  it("runs an orchestrator episode and answers the SDK's state as JSON", async () => {
    const reply = await invoke("CallEcho", firstEpisode("hi"));
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const state = JSON.parse(reply.data.json as string) as { isDone: boolean; actions: { functionName: string; input: unknown }[][] };
    expect(state.isDone).toBe(false);
    // The SDK writes an action's input as JSON text.
    expect(state.actions).toEqual([[expect.objectContaining({ functionName: "EchoType", input: '"hi"' })]]);
  });

  it("hands an orchestrator's failure message over whole, with the SDK's state in it", async () => {
    const reply = await invoke("GivesUp", firstEpisode("give up"));
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.message).toContain("The orchestrator gave up on purpose.");
    expect(reply.message).toContain("$OutOfProcData$");
  });
});

describe("HTTP triggers", () => {
  it("are served on the worker's port, with URLs built from the forwarded Host header", async () => {
    const response = await getWithHost("/api/hello/Ada", "localhost:7071");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ greeting: "Hello, Ada", url: "http://localhost:7071/api/hello/Ada" });
    expect((await fetch(`${base}/api/bare`)).status).toBe(200);
  });
});

describe("the durable client", () => {
  const clientData = clientBindingData({ origin: "http://localhost:7071", taskHubName: "WorkerHub", connectionName: "Storage", systemKey: "key" });

  it("fails a function that needs it, clearly, before the host has configured it", async () => {
    const response = await fetch(`${base}/api/orchestrators/CallEcho`, { method: "POST" });
    expect(response.status).toBe(500);
    await worker.waitForOutput(/durableClient input was called before the host configured/, "stderr");
    const invoked = await workerPost("invoke", { name: "HubName", payload: "null" });
    expect(invoked.status).toBe(409);
    expect(await invoked.json()).toMatchObject({ error: "not_configured" });
  });

  it("refuses a configure body without a durableClient object and a websiteHostname string", async () => {
    for (const body of [{}, { durableClient: clientData }, { durableClient: "text", websiteHostname: "localhost:7071" }, { durableClient: [], websiteHostname: "x" }]) {
      const response = await workerPost("configure", body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_request" });
    }
  });

  it("hands the configured binding data and WEBSITE_HOSTNAME to HTTP functions and to invoked ones", async () => {
    const configured = await workerPost("configure", { durableClient: clientData, websiteHostname: "localhost:7071" });
    expect(configured.status).toBe(204);
    const response = await fetch(`${base}/api/orchestrators/CallEcho`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      websiteHostname: "localhost:7071",
      taskHubName: "WorkerHub",
      statusQueryGetUri: "http://localhost:7071/runtime/webhooks/durabletask/instances/abc?taskHub=WorkerHub&connection=Storage&code=key",
    });
    expect(await invoke("HubName", "null")).toEqual({ ok: true, data: { string: "WorkerHub" } });
  });
});

describe("lifetime", () => {
  it("keeps running on SIGINT", async () => {
    worker.child.kill("SIGINT");
    await worker.waitForOutput(/The worker ignores SIGINT/);
    expect((await workerGet("functions")).status).toBe(200);
    expect(worker.running).toBe(true);
  });

  it("stops when its stdin ends: closes, runs the appTerminate hooks and exits 0", async () => {
    worker.child.stdin?.end();
    expect(await worker.exited).toBe(0);
    expect(worker.stdout).toContain("The worker is stopping: its stdin ended.");
    expect(worker.stdout).toContain("workerApp: appTerminate hook ran");
  });

  it("stops on SIGTERM as when its stdin ends", async () => {
    const terminated = startWorker(build.app("workerApp"));
    await readyPort(terminated);
    terminated.child.kill("SIGTERM");
    expect(await terminated.exited).toBe(0);
    expect(terminated.stdout).toContain("The worker is stopping: SIGTERM.");
    expect(terminated.stdout).toContain("workerApp: appTerminate hook ran");
  });

  it("stops when the process holding its stdin is killed with SIGKILL", async () => {
    // A parent that starts the worker with a stdin pipe, shares its own stdout with it, and is then killed.
    const parentScript = `require("node:child_process").spawn(process.execPath, process.argv.slice(1), { stdio: ["pipe", "inherit", "inherit"] });`;
    const parent = new ChildOutput(
      spawn(process.execPath, ["-e", parentScript, WORKER_MAIN, "--app-root", build.app("workerApp")], { env: workerEnv(), stdio: ["ignore", "pipe", "pipe"] }),
    );
    await readyPort(parent);
    parent.child.kill("SIGKILL");
    // The shared stdout closes only once the worker, its last holder, has exited.
    await parent.stdoutClosed;
    expect(parent.stdout).toContain("The worker is stopping: its stdin ended.");
    expect(parent.stdout).toContain("workerApp: appTerminate hook ran");
  });
});
