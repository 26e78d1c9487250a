import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FunctionApp } from "../../../devhost/app/FunctionApp.js";
import type { HostLogger, LogLevel } from "../../../devhost/app/HostLogger.js";
import { ActivityNames, EntityNames, OrchestratorNames } from "../../../src/names.js";
import { buildFixtures, type FixtureBuild } from "../fixtures/support/buildFixtures.js";
import { HostProcess, type HostMessage } from "../fixtures/support/HostProcess.js";

/**
 * FunctionApp under plain Node, in a child process (vitest installs its own functions-core
 * stand-in in its workers): loading package.json `main`, the functions-core substitute, hooks and
 * invocations as the Node worker runs them.
 */

let build: FixtureBuild;

beforeAll(async () => {
  build = await buildFixtures({ withMainApp: true });
});

afterAll(async () => {
  await build.remove();
});

/** The environment without Application Insights, so the project's app never loads it. */
function quietEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  return env;
}

async function load(appRoot: string, invocations: unknown[] = []): Promise<HostProcess> {
  const host = new HostProcess(build.driver, "load", appRoot, invocations, quietEnv());
  expect(await host.exited).toBe(0);
  return host;
}

function loadedNames(host: HostProcess): string[] {
  const loaded = host.messages.find((message) => message.event === "loaded") as (HostMessage & { functions: { name: string }[] }) | undefined;
  if (loaded === undefined) throw new Error(`Not loaded:\n${host.stdout}\n${host.stderr}`);
  return loaded.functions.map((fn) => fn.name);
}

describe("loading the project's app", () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await load(build.mainApp);
  });

  it("registers all 24 functions from package.json main (dist/{index.js,functions/*.js})", () => {
    const http = ["HttpStart", "HttpStartSingle", "E3CounterOperation", "E3CounterValue", "CounterRead", "CounterUpdate", "ApprovalStart", "ApprovalDecision"];
    const expected = [...Object.values(OrchestratorNames), ...Object.values(ActivityNames), ...Object.values(EntityNames), ...http].sort();
    expect(expected).toHaveLength(24);
    expect(loadedNames(host).sort()).toEqual(expected);
  });

  it("loads index.js first, then the function modules in order", () => {
    const loading = host.logLines.filter((line) => line.includes("Loading entry point file")).map((line) => /"(.+)"/.exec(line)?.[1]);
    expect(loading).toEqual([
      "dist/index.js",
      "dist/functions/approval.js",
      "dist/functions/backupSiteContent.js",
      "dist/functions/counter.js",
      "dist/functions/e3Counter.js",
      "dist/functions/helloSequence.js",
      "dist/functions/monitor.js",
      "dist/functions/starters.js",
    ]);
  });

  it("keeps the trigger metadata the app registered", () => {
    const loaded = host.messages.find((message) => message.event === "loaded") as HostMessage & { functions: { name: string; trigger: unknown; bindingTypes: string[] }[] };
    expect(loaded.functions.find((fn) => fn.name === "CounterRead")).toMatchObject({
      trigger: { type: "httpTrigger", route: "counter/{id?}", methods: ["GET"], authLevel: "function" },
      bindingTypes: expect.arrayContaining(["httpTrigger", "durableClient", "http"]) as unknown,
    });
  });

  it("prints no test-mode warning: @azure/functions finds the functions-core substitute", () => {
    expect(host.stderr).not.toMatch(/test mode|WARNING/i);
  });

  it("runs the app's appTerminate hook on shutdown", () => {
    expect(host.stdout).toContain('Executing 1 "appTerminate" hooks');
    expect(host.stdout).toContain('Executed "appTerminate" hooks');
    expect(host.messages.at(-1)).toEqual({ event: "terminated" });
  });
});

describe("loading errors", () => {
  it("names the file that failed to load", async () => {
    const host = await load(build.app("brokenApp"));
    expect(host.messages).toContainEqual({ event: "loadFailed", message: 'Worker was unable to load entry point "functions/broken.js": kaboom while loading' });
  });

  it("says when main matches no file", async () => {
    const host = await load(build.app("noMatchApp"));
    expect(host.messages).toContainEqual({
      event: "loadFailed",
      message: 'Worker was unable to load entry point "dist/{index.js,functions/*.js}": Found zero files matching the supplied pattern',
    });
  });

  it("warns and loads nothing without a package.json, as the worker does", async () => {
    // Beside the fixture apps, where @azure/functions resolves (the build links node_modules in),
    // so that only the missing package.json is wrong, wherever the system's temp folder is.
    const empty = await mkdtemp(path.join(build.app(""), "empty-app-"));
    try {
      const host = await load(empty);
      expect(loadedNames(host)).toEqual([]);
      expect(host.stderr).toContain("Worker failed to load package.json");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("loads an ES module entry point with import()", async () => {
    const host = await load(build.app("esmApp"));
    expect(loadedNames(host)).toEqual(["esmHello"]);
  });
});

describe("invoking functions", () => {
  const traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const client = { taskHubName: "Hub", creationUrls: {}, managementUrls: {} };
  const invocations = [
    { name: "plain", input: { hello: 1 }, options: { traceParent, traceState: "k=v", extraInputs: { durableClient: client }, reason: "Custom reason", triggerMetadata: { a: 1 } } },
    { name: "PLAIN", input: { log: true } },
    { name: "plain", input: { replaceInput: true } },
    { name: "plain", input: { replaceHandler: true } },
    { name: "plain", input: { replaceResult: true } },
    { name: "plain", input: { throwMessage: "swallowed", swallowError: true } },
    { name: "plain", input: { throwMessage: "really bad" } },
    { name: "plain", input: { logLate: true }, options: { traceParent: "00-nonsense" } },
    { name: "plain", input: { registerLate: true } },
    { name: "sayHello", input: "Tokyo" },
    { name: "nope", input: null },
  ];
  let host: HostProcess;
  let outcomes: HostMessage[];

  beforeAll(async () => {
    host = await load(build.app("httpApp"), invocations);
    outcomes = host.messages.filter((message) => message.event === "invoked");
    expect(outcomes).toHaveLength(invocations.length);
  });

  const outcome = (index: number): HostMessage => outcomes[index] ?? { event: "missing" };

  it("builds the InvocationContext as the worker does", () => {
    expect(outcome(0).result).toEqual({
      input: { hello: 1 },
      invocationId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) as unknown,
      functionName: "plain",
      traceContext: { traceParent, traceState: "k=v", attributes: {} },
      client,
      triggerMetadata: { a: 1 },
      options: { trigger: expect.objectContaining({ type: "plainTrigger", name: "input", direction: "in" }) as unknown, extraInputs: ["durableClient"] },
    });
  });

  it("logs Executing with the reason (Core Tools prints (null) when there is none) and Executed with the same id", () => {
    const { invocationId } = outcome(0).result as { invocationId: string };
    expect(host.stdout).toMatch(new RegExp(`\\] Executing 'Functions\\.plain' \\(Reason='Custom reason', Id=${invocationId}\\)\\n`));
    expect(host.stdout).toMatch(new RegExp(`\\] Executed 'Functions\\.plain' \\(Succeeded, Id=${invocationId}, Duration=\\d+ms\\)\\n`));
    expect(host.stdout).toMatch(/\] Executing 'Functions\.sayHello' \(Reason='\(null\)', Id=[0-9a-f-]{36}\)/);
  });

  it("writes the function's log calls at their level: information and debug to stdout, warnings and errors to stderr", () => {
    expect(host.stdout).toMatch(/^\[[\d\-T:.]+Z\] info line 42 \{ nested: true \}$/m);
    expect(host.stdout).toMatch(/^\[[\d\-T:.]+Z\] debug line$/m);
    expect(host.stderr).toMatch(/^\[[\d\-T:.]+Z\] warn line$/m);
    expect(host.stderr).toMatch(/^\[[\d\-T:.]+Z\] error line$/m);
  });

  it("passes log lines through the app's log hooks, which may change them", () => {
    expect(host.stderr).toMatch(/^\[[\d\-T:.]+Z\] \[redacted\]$/m);
    expect(host.stdout + host.stderr).not.toContain("the password");
  });

  it("lets preInvocation hooks replace the inputs and the handler", () => {
    expect((outcome(2).result as { input: unknown }).input).toEqual({ value: "replaced by preInvocation" });
    expect(outcome(3).result).toEqual({ handledBy: "preInvocation handler", input: { replaceHandler: true } });
  });

  it("lets postInvocation hooks replace the result, and clear an error", () => {
    expect(outcome(4).result).toMatchObject({ replacedBy: "postInvocation", hookData: "plain", original: { input: { replaceResult: true } } });
    expect(outcome(5)).toEqual({ event: "invoked", name: "plain", result: { swallowed: "swallowed" } });
  });

  it("throws what the handler throws, after logging the failure", () => {
    expect(outcome(6)).toEqual({ event: "invoked", name: "plain", error: "really bad" });
    expect(host.stderr).toMatch(/\] Executed 'Functions\.plain' \(Failed, Id=[0-9a-f-]{36}, Duration=\d+ms\)\n/);
    expect(host.stderr).toContain("Exception: really bad\nStack: Error: really bad");
  });

  it("starts a fresh trace for an invalid traceparent", () => {
    const { traceContext } = outcome(7).result as { traceContext: { traceParent: string } };
    expect(traceContext.traceParent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
  });

  it("warns about a log call after the function has finished, as the library does", () => {
    expect(host.stderr).toContain("Warning: Unexpected call to 'log' on the context object after function execution has completed.");
    expect(host.stdout).toMatch(/\] late line$/m);
  });

  it("refuses to register functions once the app has started", () => {
    expect(outcome(8).result).toBe("A function can only be registered during app startup.");
  });

  it("runs durable-functions' wrappers, such as an activity's", () => {
    expect(outcome(9)).toEqual({ event: "invoked", name: "sayHello", result: "Hello Tokyo" });
  });

  it("refuses a function that is not registered", () => {
    expect(outcome(10)).toEqual({ event: "invoked", name: "nope", error: "Function code for 'nope' is not loaded and cannot be invoked." });
  });

  it("runs appStart hooks before and appTerminate hooks after, sharing the app-level hookData", () => {
    expect(host.messages.filter((message) => message.event === "hook")).toEqual([
      { event: "hook", hook: "appStart" },
      { event: "hook", hook: "appTerminate", hookData: { startedBy: "appStart" } },
    ]);
    expect(host.stderr).not.toMatch(/test mode/i);
  });
});

describe("in the vitest process, where a test harness's functions-core is already installed", () => {
  it("takes that module over, so the app registers with the devhost and runs", async () => {
    const warn = vi.spyOn(console, "warn");
    const lines: { level: LogLevel; message: string }[] = [];
    const logger: HostLogger = { log: (level, message) => lines.push({ level, message }) };
    const app = await FunctionApp.load(build.app("httpApp"), logger);
    expect(app.list().map((fn) => fn.name)).toEqual(expect.arrayContaining(["plain", "sayHello", "hello", "echo"]) as unknown);
    expect(await app.invoke("sayHello", "Oslo")).toBe("Hello Oslo");
    expect(lines.map((line) => line.message)).toContainEqual(expect.stringMatching(/^Executed 'Functions\.sayHello' \(Succeeded, Id=/));
    expect(warn).not.toHaveBeenCalled();
    await expect(FunctionApp.load(build.app("httpApp"), logger)).rejects.toThrow("An app is already loaded in this process");
  });
});
