import { describe, expect, it, onTestFinished } from "vitest";
import { itSkippedOnRealExtension, useE2eTarget } from "./support/e2eTarget.js";
import { e3CounterUrl, e3Operation, startAndCheck, startOrchestration, uniqueId } from "./support/app.js";
import {
  raiseEvent,
  terminateQuietly,
  waitForCompletion,
  waitForStatus,
  withReason,
  type CheckStatusPayload,
  type InstanceStatus,
} from "./support/durable.js";
import { describeResult, expectJson, expectJsonError, expectStatus, get, jsonObject, matching, post } from "./support/http.js";

/**
 * E3_Counter over real HTTP: the reference walkthrough through the built-in webhook, and the
 * exactly-once endpoint README documents. On the real clock: the counter continues as new after a
 * quiet second and forgets operation ids after ten minutes, and a virtual clock that skipped
 * ahead would make it forget them mid-test.
 */

const target = useE2eTarget({ name: "counter", clock: "real" });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

interface CounterCustomStatus {
  value: number;
  generation: string;
  confirmedOps: [string, number | null][];
}

function counterStatus(status: InstanceStatus): CounterCustomStatus {
  const custom = status.customStatus as Partial<CounterCustomStatus> | null;
  if (typeof custom?.value !== "number" || typeof custom.generation !== "string" || !Array.isArray(custom.confirmedOps)) {
    throw new Error(`Not an E3_Counter custom status: ${JSON.stringify(status)}`);
  }
  return custom as CounterCustomStatus;
}

/** Starts a counter as a singleton (with an optional start value) and terminates it after the test. */
async function startCounter(prefix: string, startValue?: number): Promise<{ id: string; payload: CheckStatusPayload }> {
  const id = uniqueId(prefix);
  const payload = await startAndCheck(target, "E3_Counter", { instanceId: id, ...(startValue === undefined ? {} : { json: startValue }) });
  onTestFinished(() => terminateQuietly(payload));
  return { id, payload };
}

/** A 200 from the exactly-once endpoint: {instanceId, value, operationId}; returns the operation id. */
async function expectApplied(instanceId: string, op: string, value: number, idempotencyKey?: string): Promise<string> {
  const result = await e3Operation(target, instanceId, op, idempotencyKey);
  const body = jsonObject(result);
  const operationId = body.operationId;
  if (typeof operationId !== "string") throw new Error(`No operationId.\n${describeResult(result)}`);
  expectJson(result, 200, { instanceId, value, operationId });
  if (idempotencyKey === undefined) expect(operationId).toMatch(UUID);
  else expect(operationId).toBe(idempotencyKey);
  return operationId;
}

describe("E3_Counter, the eternal orchestration", { timeout: 90_000 }, () => {
  it("follows the reference walkthrough: raw operations through sendEventPostUri show up as the status input, end completes it, then raising answers 410", async () => {
    const { id, payload } = await startCounter("c1");
    let status = await waitForStatus(payload.statusQueryGetUri, "the counter to publish its start", (seen) => seen.customStatus !== null);
    expect(status).toMatchObject({ name: "E3_Counter", instanceId: id, runtimeStatus: "Running", input: 0 });
    expect(counterStatus(status)).toEqual({ value: 0, generation: matching(ISO_INSTANT), confirmedOps: [] });

    for (const [op, expected] of [["incr", 1], ["incr", 2], ["decr", 1]] as const) {
      const previousGeneration = counterStatus(status).generation;
      expectStatus(await raiseEvent(payload, "operation", op), 202);
      // README: the value shows as input once the counter has continued as new, a second after the operation.
      status = await waitForStatus(
        payload.statusQueryGetUri,
        `input ${expected} after '${op}' and a ContinueAsNew`,
        (seen) => seen.runtimeStatus === "Running" && seen.input === expected && counterStatus(seen).generation !== previousGeneration,
      );
      expect(status).toMatchObject({ name: "E3_Counter", instanceId: id, runtimeStatus: "Running", input: expected });
      expect(counterStatus(status)).toEqual({ value: expected, generation: matching(ISO_INSTANT), confirmedOps: [] });
      // The generation is the new episode's start: it moves forward at every ContinueAsNew.
      expect(counterStatus(status).generation > previousGeneration).toBe(true);
    }

    expectStatus(await raiseEvent(payload, "operation", "end"), 202);
    const ended = await waitForCompletion(payload.statusQueryGetUri);
    expect(ended).toMatchObject({ name: "E3_Counter", instanceId: id, output: 1 });

    expectStatus(await raiseEvent(payload, "operation", "incr"), 410);
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 1, runtimeStatus: "Completed" });
    expectJsonError(
      await e3Operation(target, id, "incr"),
      410,
      "instance_finished",
      `The instance '${id}' is Completed and takes no more operations.`,
    );
  });

  it("applies exactly-once operations as README shows: values, Idempotency-Key replay, the remembered ids in the input, end, then 410", async () => {
    // README's exactly-once part starts where its walkthrough left the counter: at 1.
    const { id, payload } = await startCounter("c1", 1);

    const incrId = await expectApplied(id, "incr", 2);
    const decrId = await expectApplied(id, "decr", 1);
    expect(decrId).not.toBe(incrId);
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 1, runtimeStatus: "Running" });

    await expectApplied(id, "incr", 2, "order-42");
    // The same key again gets the first answer and is not applied a second time.
    await expectApplied(id, "incr", 2, "order-42");
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 2, runtimeStatus: "Running" });

    // README: while ids are remembered, the status input is {"value", "recentOps"} rather than the bare value.
    const remembering = await waitForStatus(payload.statusQueryGetUri, "the input to carry the remembered ids", (seen) => {
      const input = seen.input as { value?: unknown; recentOps?: unknown } | null;
      return typeof input === "object" && input !== null && input.value === 2 && Array.isArray(input.recentOps) && input.recentOps.length === 3;
    });
    const recentOps = (remembering.input as { recentOps: [string, number, number | null][] }).recentOps;
    expect(recentOps.map(([operationId, , outcome]) => [operationId, outcome])).toEqual([
      [incrId, 2],
      [decrId, 1],
      ["order-42", 2],
    ]);
    for (const [, appliedAt] of recentOps) expect(Math.abs(appliedAt - Date.now() / 1000)).toBeLessThan(600);
    expect(counterStatus(remembering).confirmedOps).toEqual([
      [incrId, 2],
      [decrId, 1],
      ["order-42", 2],
    ]);

    await expectApplied(id, "end", 2);
    const ended = await waitForCompletion(payload.statusQueryGetUri);
    expect(ended.output).toBe(2);
    expectJsonError(
      await e3Operation(target, id, "incr"),
      410,
      "instance_finished",
      `The instance '${id}' is Completed and takes no more operations.`,
    );
    // A key whose outcome the finished counter still lists is answered from it, as before.
    await expectApplied(id, "incr", 2, "order-42");
  });

  it("applies each of 60 concurrent operations exactly once across a ContinueAsNew, answering each with the value right after it", async () => {
    // 60 is more than a generation's 50 new operations: the counter continues as new mid-burst,
    // the engine drops the events of that batch, and only the endpoint's resends bring them back.
    const burst = 60;
    const { id } = await startCounter("burst");
    const results = await Promise.all(Array.from({ length: burst }, () => e3Operation(target, id, "incr")));
    for (const result of results) expectStatus(result, 200);
    const bodies = results.map((result) => jsonObject(result));
    // Each incr moved the counter by one, so the answers are 1 to 60, each once, whatever the order.
    expect(bodies.map((body) => body.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: burst }, (_, i) => i + 1));
    expect(new Set(bodies.map((body) => body.operationId)).size).toBe(burst);
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: burst, runtimeStatus: "Running" });
  });

  it("applies an operation id once when its event arrives twice, as a resend or a redelivered copy would", async () => {
    const { id, payload } = await startCounter("dup");
    expectStatus(await raiseEvent(payload, "operation", { op: "incr", id: "dup-1" }), 202);
    expectStatus(await raiseEvent(payload, "operation", { op: "incr", id: "dup-1" }), 202);
    // Events are handled in order: once this one is confirmed, both copies before it have been seen.
    expectStatus(await raiseEvent(payload, "operation", { op: "incr", id: "marker" }), 202);
    const status = await waitForStatus(payload.statusQueryGetUri, "the marker to be confirmed", (seen) =>
      counterStatus(seen).confirmedOps.some(([operationId]) => operationId === "marker"),
    );
    expect(counterStatus(status)).toMatchObject({ value: 2, confirmedOps: [["dup-1", 1], ["marker", 2]] });
    // The endpoint answers a key the counter has confirmed from that confirmation.
    await expectApplied(id, "incr", 1, "dup-1");
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 2, runtimeStatus: "Running" });
  });

  it("starts from a JSON integer body and refuses an operation that would leave the safe integer range with 409", async () => {
    const { id, payload } = await startCounter("edge", MAX_SAFE);
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: MAX_SAFE, runtimeStatus: matching(/^(Pending|Running)$/) });

    expectJsonError(
      await e3Operation(target, id, "incr"),
      409,
      "operation_refused",
      "'incr' was refused: the value would leave the safe integer range.",
    );
    await expectApplied(id, "decr", MAX_SAFE - 1);
    const status = await waitForStatus(payload.statusQueryGetUri, "the refusal to be listed", (seen) => counterStatus(seen).confirmedOps.length === 2);
    expect(counterStatus(status)).toMatchObject({ value: MAX_SAFE - 1 });
    expect(counterStatus(status).confirmedOps.map(([, outcome]) => outcome)).toEqual([null, MAX_SAFE - 1]);
  });

  itSkippedOnRealExtension(
    "holds operations by suspending the counter; on the real extension a suspended Node.js orchestration still receives raised events (durable-functions replays them past ExecutionSuspended)",
    "answers 202 with Location when the counter cannot confirm within 30 s, and the repeated key applies the operation once",
    async () => {
      const { id, payload } = await startCounter("slow");
      await waitForStatus(payload.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running" && seen.customStatus !== null);
      // On the devhost a suspended instance keeps raised events but processes none: nothing can confirm the operation.
      expectStatus(await post(withReason(payload.suspendPostUri, "e2e: hold operations")), 202);
      await waitForStatus(payload.statusQueryGetUri, "the counter to be suspended", (seen) => seen.runtimeStatus === "Suspended");

      const pending = await e3Operation(target, id, "incr");
      const operationId = jsonObject(pending).operationId;
      if (typeof operationId !== "string") throw new Error(`No operationId.\n${describeResult(pending)}`);
      const location = e3CounterUrl(target, id);
      expectJson(pending, 202, {
        instanceId: id,
        operationId,
        message: `Not confirmed yet. Repeat the request with the header Idempotency-Key: ${operationId} to keep waiting; the operation is applied at most once.`,
        location,
      });
      expect(operationId).toMatch(UUID);
      expect(pending.headers.get("location")).toBe(location);
      expect(pending.headers.get("retry-after")).toBe("10");

      expectStatus(await post(withReason(payload.resumePostUri, "e2e: let it go")), 202);
      await expectApplied(id, "incr", 1, operationId);
      expectJson(await get(location), 200, { instanceId: id, value: 1, runtimeStatus: "Running" });
    },
    120_000,
  );

  it("answers 404 for an unknown instance or one that is not an E3_Counter, 400 for a bad operation, key, id or start value", async () => {
    const unknown = uniqueId("nope");
    const notFound = `No E3_Counter instance with ID '${unknown}' exists.`;
    expectJsonError(await e3Operation(target, unknown, "incr"), 404, "instance_not_found", notFound);
    expectJsonError(await get(e3CounterUrl(target, unknown)), 404, "instance_not_found", notFound);

    const hello = jsonObject(await startOrchestration(target, "E1_HelloSequence"));
    const helloId = String(hello.id);
    expectJsonError(await e3Operation(target, helloId, "incr"), 404, "instance_not_found", `No E3_Counter instance with ID '${helloId}' exists.`);

    const { id } = await startCounter("bad");
    expectJsonError(await e3Operation(target, id, "double"), 400, "unknown_operation", "Unknown operation 'double'. Use incr, decr or end.");
    expectJsonError(
      await e3Operation(target, id, "incr", "not a key!"),
      400,
      "invalid_idempotency_key",
      "Idempotency-Key must be 1 to 64 letters, digits, _ or -.",
    );
    expectJsonError(await e3Operation(target, "a#b", "incr"), 400, "invalid_id");
    // None of those raised anything: the counter is still at 0 with nothing confirmed.
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 0, runtimeStatus: matching(/^(Pending|Running)$/) });

    for (const body of ['"abc"', "1.5", "[1]"]) {
      expectJsonError(
        await startOrchestration(target, "E3_Counter", { data: body }),
        400,
        "invalid_input",
        "E3_Counter takes a safe integer start value (or no body for 0).",
      );
    }
  });
});
