import { describe, expect, it, onTestFinished } from "vitest";
import { useE2eTarget } from "./support/e2eTarget.js";
import { e3Operation, startAndCheck, uniqueId } from "./support/app.js";
import {
  forInstance,
  purge,
  raiseEvent,
  readStatus,
  statusFrom,
  terminate,
  terminateQuietly,
  waitForCompletion,
  waitForEnd,
  waitForStatus,
} from "./support/durable.js";
import { del, describeResult, expectJsonError, expectStatus, get, post } from "./support/http.js";

/**
 * Spot checks of the Durable built-in HTTP API through the URLs the starters hand out: the status
 * codes the app's own instance lookup relies on (404 none, 202 running, 200 finished), purge,
 * terminate and raiseEvent.
 */

const target = useE2eTarget({ name: "durableapi", clock: "real" });

describe("the Durable built-in HTTP API", { timeout: 60_000 }, () => {
  it("answers a status query with 404 for an unknown id, 202 while running and 200 once completed", async () => {
    const payload = await startAndCheck(target, "E3_Counter", { json: 4 });
    onTestFinished(() => terminateQuietly(payload));
    const unknown = await get(forInstance(payload.statusQueryGetUri, payload, uniqueId("unknown")));
    expectStatus(unknown, 404);

    await waitForStatus(payload.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running");
    const running = await get(payload.statusQueryGetUri);
    expectStatus(running, 202);
    expect(statusFrom(running)).toMatchObject({ name: "E3_Counter", instanceId: payload.id, runtimeStatus: "Running", input: 4 });

    const hello = await startAndCheck(target, "E1_HelloSequence");
    await waitForCompletion(hello.statusQueryGetUri);
    const completed = await get(hello.statusQueryGetUri);
    expectStatus(completed, 200);
    expect(statusFrom(completed)).toMatchObject({ name: "E1_HelloSequence", runtimeStatus: "Completed", output: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"] });
  });

  it("purges a finished instance with 200, after which its status and a second purge are 404", async () => {
    const payload = await startAndCheck(target, "E1_HelloSequence");
    await waitForCompletion(payload.statusQueryGetUri);
    const purged = await purge(payload);
    expectStatus(purged, 200);
    expect(purged.json, describeResult(purged)).toEqual({ instancesDeleted: 1 });
    expect(await readStatus(payload.statusQueryGetUri)).toBeUndefined();
    expectStatus(await purge(payload), 404);
    expectStatus(await del(forInstance(payload.purgeHistoryDeleteUri, payload, uniqueId("unknown"))), 404);
  });

  it("terminates a running instance with 202, then answers 410 to terminate and raiseEvent, and the app's routes follow", async () => {
    const id = uniqueId("term");
    const payload = await startAndCheck(target, "E3_Counter", { instanceId: id });
    await waitForStatus(payload.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running");

    expectStatus(await terminate(payload, "e2e says stop"), 202);
    const ended = await waitForEnd(payload.statusQueryGetUri);
    expect(ended).toMatchObject({ runtimeStatus: "Terminated", output: "e2e says stop" });

    expectStatus(await terminate(payload, "again"), 410);
    expectStatus(await raiseEvent(payload, "operation", "incr"), 410);
    expectJsonError(await e3Operation(target, id, "incr"), 410, "instance_finished", `The instance '${id}' is Terminated and takes no more operations.`);
    // A singleton whose instance was terminated can be started again.
    const restarted = await startAndCheck(target, "E3_Counter", { instanceId: id });
    onTestFinished(() => terminateQuietly(restarted));
  });

  it("answers 404 to terminate and raiseEvent for an unknown instance", async () => {
    const payload = await startAndCheck(target, "E1_HelloSequence");
    const unknown = uniqueId("unknown");
    expectStatus(await post(forInstance(payload.terminatePostUri.replace("{text}", "x"), payload, unknown)), 404);
    expectStatus(await post(forInstance(payload.sendEventPostUri.replace("{eventName}", "operation"), payload, unknown), { json: "incr" }), 404);
  });
});
