import { describe, expect, it, onTestFinished } from "vitest";
import { useE2eTarget } from "./support/e2eTarget.js";
import { startAndCheck, startOrchestration, uniqueId } from "./support/app.js";
import { expectCheckStatusResponse, forInstance, readStatus, terminateQuietly, waitForCompletion, waitForStatus } from "./support/durable.js";
import { expectJsonError } from "./support/http.js";

/** The generic and singleton HTTP starters: who may be started, and at most one live instance per id. */

const target = useE2eTarget({ name: "starters", clock: "real" });

const ID_RULE = "The instance id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.";

describe("POST /api/orchestrators/{functionName} and /{instanceId}", { timeout: 60_000 }, () => {
  it("starts an instance with a generated id and answers the check-status response", async () => {
    const payload = await startAndCheck(target, "E1_HelloSequence");
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status).toMatchObject({ name: "E1_HelloSequence", instanceId: payload.id });
  });

  it.each(["E2_BackupBatch", "CounterEntityCall", "NoSuchOrchestrator"])(
    "refuses to start %s, which callers may not start, on both routes with 404 unknown_orchestrator",
    async (name) => {
      const message = `There is no startable orchestrator named '${name}'.`;
      expectJsonError(await startOrchestration(target, name, { data: "{}" }), 404, "unknown_orchestrator", message);
      const instanceId = uniqueId("internal");
      expectJsonError(await startOrchestration(target, name, { instanceId }), 404, "unknown_orchestrator", message);
      const probe = await startAndCheck(target, "E1_HelloSequence");
      expect(await readStatus(forInstance(probe.statusQueryGetUri, probe, instanceId))).toBeUndefined();
    },
  );

  it("starts a singleton once: 202, then 409 instance_exists for the same id while it runs", async () => {
    const id = uniqueId("c2");
    const payload = await startAndCheck(target, "E3_Counter", { instanceId: id });
    onTestFinished(() => terminateQuietly(payload));
    expectJsonError(
      await startOrchestration(target, "E3_Counter", { instanceId: id }),
      409,
      "instance_exists",
      `An instance with ID '${id}' already exists.`,
    );
    // Also when the second caller asks for another orchestrator under the same id.
    expectJsonError(await startOrchestration(target, "E1_HelloSequence", { instanceId: id }), 409, "instance_exists");
    const status = await readStatus(payload.statusQueryGetUri);
    expect(status).toMatchObject({ name: "E3_Counter", instanceId: id });
  });

  it("gives exactly one of 20 concurrent starts of one id a 202 and the rest 409", async () => {
    const id = uniqueId("race");
    const results = await Promise.all(Array.from({ length: 20 }, () => startOrchestration(target, "E3_Counter", { instanceId: id })));
    const winners = results.filter((result) => result.status === 202);
    expect(
      results.map((result) => result.status).sort(),
      results.map((result) => `${result.status} ${result.text.slice(0, 120)}`).join("\n"),
    ).toEqual([202, ...Array.from({ length: 19 }, () => 409)]);
    const [winner] = winners;
    if (winner === undefined) throw new Error("no winner");
    const payload = expectCheckStatusResponse(winner, target, id);
    onTestFinished(() => terminateQuietly(payload));
    for (const loser of results.filter((result) => result.status === 409)) {
      expectJsonError(loser, 409, "instance_exists", `An instance with ID '${id}' already exists.`);
    }
    await waitForStatus(payload.statusQueryGetUri, "the one counter to run", (seen) => seen.runtimeStatus === "Running");
  });

  it("starts a singleton id again once its instance has finished", async () => {
    const id = uniqueId("again");
    const first = await startAndCheck(target, "E1_HelloSequence", { instanceId: id, json: ["Paris"] });
    const firstRun = await waitForCompletion(first.statusQueryGetUri);
    expect(firstRun.output).toEqual(["Hello Paris!"]);

    const second = await startAndCheck(target, "E1_HelloSequence", { instanceId: id, json: ["Oslo"] });
    const secondRun = await waitForStatus(second.statusQueryGetUri, "the second run to complete", (seen) =>
      seen.runtimeStatus === "Completed" && JSON.stringify(seen.output) === JSON.stringify(["Hello Oslo!"]),
    );
    expect(Date.parse(secondRun.createdTime)).toBeGreaterThanOrEqual(Date.parse(firstRun.createdTime));
  });

  it("starts nothing and claims nothing when the input or the id is refused", async () => {
    const id = uniqueId("refused");
    expectJsonError(
      await startOrchestration(target, "E1_HelloSequence", { instanceId: id, data: '"Paris"' }),
      400,
      "invalid_input",
      "The input must be a list of 1 to 20 city names.",
    );
    expectJsonError(await startOrchestration(target, "E1_HelloSequence", { instanceId: id, data: "[1," }), 400, "invalid_json", "The body is not valid JSON.");
    // The refused starts left the id free: the next valid start gets it at once.
    const payload = await startAndCheck(target, "E1_HelloSequence", { instanceId: id, json: ["Oslo"] });
    expect((await waitForCompletion(payload.statusQueryGetUri)).output).toEqual(["Hello Oslo!"]);

    expectJsonError(await startOrchestration(target, "E3_Counter", { instanceId: "a#b" }), 400, "invalid_id", ID_RULE);
    expectJsonError(await startOrchestration(target, "E3_Counter", { instanceId: "@counter@x" }), 400, "invalid_id", ID_RULE);
    expectJsonError(await startOrchestration(target, "E3_Counter", { instanceId: "x".repeat(101) }), 400, "invalid_id", ID_RULE);
  });

  it("answers 413 body_too_large for a body over 64 KiB", async () => {
    const oversized = JSON.stringify("a".repeat(64 * 1024));
    expectJsonError(await startOrchestration(target, "E1_HelloSequence", { data: oversized }), 413, "body_too_large", "The body is larger than 64 KiB.");
  });

  it("starts Approval and E3_Counter through the generic starter with their validated input (E1, E2 and Monitor have their own files)", async () => {
    const approval = await startAndCheck(target, "Approval", { json: { amount: 10, requester: "ana" } });
    onTestFinished(() => terminateQuietly(approval));
    const counter = await startAndCheck(target, "E3_Counter", { json: 3 });
    onTestFinished(() => terminateQuietly(counter));
    const counterStatus = await waitForStatus(counter.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running");
    expect(counterStatus).toMatchObject({ name: "E3_Counter", input: 3 });
    const approvalStatus = await waitForStatus(approval.statusQueryGetUri, "the approval to wait", (seen) => seen.runtimeStatus === "Running");
    expect(approvalStatus).toMatchObject({ name: "Approval", input: { amount: 10, requester: "ana", timeoutHours: 72 } });
  });
});
