import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildFixtures, type FixtureBuild } from "../devhost/fixtures/support/buildFixtures.js";
import { LocalHostProcess, REPO_ROOT } from "../e2e/support/localHostProcess.js";
import { pollUntil } from "../e2e/support/poll.js";

/**
 * How an activity's input reaches Node.js on the real stack. The extension binds an activity's
 * input to the trigger's string parameter as text, and the worker parses that text as
 * @azure/functions parses a string value. Strings, numbers and objects come as JSON text (a string
 * with its quotes), so they arrive as they were sent; a boolean comes as .NET writes it, `True`,
 * which is not JSON, so the activity gets the string "True". The fixture app's CallEcho
 * orchestration hands its input to EchoType, which answers the type and value it received.
 */

let build: FixtureBuild;
let host: LocalHostProcess;

beforeAll(async () => {
  build = await buildFixtures();
  host = await LocalHostProcess.start({
    kind: "realhost",
    appRoot: build.app("workerApp"),
    workerScript: path.join(REPO_ROOT, "devhost", "dist", "worker", "main.js"),
    env: {
      AzureWebJobsStorage: inject("azuriteConnectionString"),
      FUNCTIONS_WORKER_RUNTIME: "node",
      AzureFunctionsJobHost__extensions__durableTask__hubName: `inputs${randomBytes(5).toString("hex")}`,
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: "00:00:01",
    },
  });
}, 120_000);

afterAll(async () => {
  await host.stop();
  await build.remove();
}, 60_000);

async function echoed(input: unknown): Promise<unknown> {
  const started = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/CallEcho`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });
  expect(started.status).toBe(202);
  const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
  const status = await pollUntil(
    `CallEcho(${JSON.stringify(input)}) to finish`,
    async () => (await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string; output: unknown },
    (seen) => seen.runtimeStatus === "Completed" || seen.runtimeStatus === "Failed",
  );
  expect(status.runtimeStatus).toBe("Completed");
  return status.output;
}

describe("activity inputs on the real extension", () => {
  it.each([
    { input: "123", arrives: { type: "string", value: "123" } },
    { input: "true", arrives: { type: "string", value: "true" } },
    { input: "abc", arrives: { type: "string", value: "abc" } },
    { input: true, arrives: { type: "string", value: "True" } },
    { input: false, arrives: { type: "string", value: "False" } },
    // No input at all: the extension binds null, which the Node.js worker gets as no value.
    { input: null, arrives: { type: "undefined" } },
    { input: 5, arrives: { type: "number", value: 5 } },
    { input: 2.5, arrives: { type: "number", value: 2.5 } },
    { input: { a: 1, list: [true, "x"] }, arrives: { type: "object", value: { a: 1, list: [true, "x"] } } },
  ])("an orchestrator's $input arrives as $arrives.type $arrives.value", async ({ input, arrives }) => {
    expect(await echoed(input)).toEqual(arrives);
  });
});
