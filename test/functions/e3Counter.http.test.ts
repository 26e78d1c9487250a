import { beforeAll, describe, expect, it } from "vitest";
import type { HttpRequestInit } from "@azure/functions";
import { invokeDurableHttpHandler, invokeHttp, loadApp } from "../support/functionsHost.js";
import { useFakeDurableExtension, type FakeInstance, type RaisedEvent } from "../support/fakeDurableExtension.js";
import { createE3OperationHandler, type ConfirmationTiming } from "../../src/functions/e3Counter.js";
import { withJsonErrors } from "../../src/http/jsonResponses.js";

const ORIGIN = "https://patterns.example.net";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATION = "2026-01-05T09:00:00.000Z";
const NEXT_GENERATION = "2026-01-05T09:00:03.000Z";
/** Short timings for the tests that wait for a confirmation that comes late or never. */
const QUICK: ConfirmationTiming = { pollMs: 10, timeoutMs: 2_000, firstResendGapMs: 0 };

const ANY_UUID: unknown = expect.stringMatching(UUID);

const fake = useFakeDurableExtension();

beforeAll(async () => {
  delete process.env.WEBSITE_HOSTNAME;
  await loadApp();
});

function operationRequest(instanceId: string, op: string, headers: Record<string, string>, body?: string): HttpRequestInit {
  return {
    method: "POST",
    url: `${ORIGIN}/api/e3counter/${encodeURIComponent(instanceId)}/${encodeURIComponent(op)}`,
    params: { instanceId, op },
    headers,
    ...(body === undefined ? {} : { body: { string: body } }),
  };
}

const operate = (instanceId: string, op: string, headers: Record<string, string> = {}) =>
  invokeHttp("E3CounterOperation", operationRequest(instanceId, op, headers), fake.clientData());

/** The registered handler's logic with test timings, wrapped as the registered function is. */
const operateWith = (timing: ConfirmationTiming, instanceId: string, op: string, headers: Record<string, string> = {}) =>
  invokeDurableHttpHandler(
    "E3CounterOperation",
    withJsonErrors(createE3OperationHandler(timing)),
    operationRequest(instanceId, op, headers),
    fake.clientData(),
  );

const readValue = (instanceId: string) =>
  invokeHttp(
    "E3CounterValue",
    { method: "GET", url: `${ORIGIN}/api/e3counter/${encodeURIComponent(instanceId)}`, params: { instanceId } },
    fake.clientData(),
  );

type Confirmation = [string, number | null];

interface CounterStatus {
  value: number;
  generation: string;
  confirmedOps: Confirmation[];
}

function runningCounter(instanceId: string, value: number, confirmedOps: Confirmation[] = []): FakeInstance {
  const customStatus: CounterStatus = { value, generation: GENERATION, confirmedOps };
  return fake.addInstance({ name: "E3_Counter", instanceId, runtimeStatus: "Running", input: value, customStatus });
}

function counterStatus(instance: FakeInstance): CounterStatus {
  return instance.customStatus as CounterStatus;
}

function instance(instanceId: string): FakeInstance {
  const found = fake.instances.get(instanceId);
  if (found === undefined) throw new Error(`No instance '${instanceId}'.`);
  return found;
}

/**
 * Plays E3_Counter's part for one event, as the orchestration does: applies an id once, confirms
 * it with the value right after it (null when refused), and completes the instance on 'end'.
 */
function applyOperation(target: FakeInstance, event: RaisedEvent): void {
  const { op, id } = event.data as { op: string; id: string };
  const status = counterStatus(target);
  if (status.confirmedOps.some(([confirmedId]) => confirmedId === id)) return;
  const next = op === "incr" ? status.value + 1 : op === "decr" ? status.value - 1 : status.value;
  const outcome = Number.isSafeInteger(next) ? next : null;
  target.customStatus = { ...status, value: outcome ?? status.value, confirmedOps: [...status.confirmedOps, [id, outcome]] };
  if (op === "end") {
    target.runtimeStatus = "Completed";
    target.output = status.value;
  }
}

/** What the counter shows once it has continued as new: the same status under a new generation. */
function continueAsNew(target: FakeInstance, generation: string): void {
  target.customStatus = { ...counterStatus(target), generation };
}

function raisedIds(): unknown[] {
  return fake.raisedEvents.map((event) => (event.data as { id?: unknown }).id);
}

describe("POST e3counter/{instanceId}/{op} (E3CounterOperation)", () => {
  describe("operations", () => {
    it.each([
      ["incr", 6],
      ["decr", 4],
    ])("raises %s with a fresh id and answers 200 with the value right after it", async (op, expected) => {
      runningCounter("c1", 5, [["older-op", 5]]);
      fake.onRaiseEvent = applyOperation;

      const response = await operate("c1", op);

      expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op, id: ANY_UUID } }]);
      const [id] = raisedIds();
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: expected, operationId: id });
      expect(counterStatus(instance("c1")).confirmedOps).toEqual([
        ["older-op", 5],
        [id, expected],
      ]);
    });

    it("uses a new operation id for every request without an Idempotency-Key", async () => {
      runningCounter("c1", 0);
      fake.onRaiseEvent = applyOperation;

      await operate("c1", "incr");
      await operate("c1", "incr");

      const ids = raisedIds();
      expect(ids).toHaveLength(2);
      expect(ids[0]).not.toBe(ids[1]);
      expect(counterStatus(instance("c1")).value).toBe(2);
    });

    it("answers with the outcome of its own operation, not the value the counter has reached since", async () => {
      runningCounter("c1", 5);
      fake.onRaiseEvent = (target, event) => {
        applyOperation(target, event);
        // Two more operations from other callers land before the endpoint reads the status.
        const status = counterStatus(target);
        target.customStatus = { ...status, value: 8, confirmedOps: [...status.confirmedOps, ["other-1", 7], ["other-2", 8]] };
      };

      const response = await operate("c1", "incr");

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 6, operationId: raisedIds()[0] });
    });

    it("answers 200 with the final value for end, which completes the instance", async () => {
      runningCounter("c1", 9);
      fake.onRaiseEvent = applyOperation;

      const response = await operate("c1", "end");

      expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op: "end", id: ANY_UUID } }]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 9, operationId: raisedIds()[0] });
      expect(instance("c1")).toMatchObject({ runtimeStatus: "Completed", output: 9 });
    });

    it("answers 409 operation_refused when the counter refuses the operation", async () => {
      runningCounter("c1", Number.MAX_SAFE_INTEGER);
      fake.onRaiseEvent = applyOperation;

      const response = await operate("c1", "incr");

      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        error: "operation_refused",
        message: "'incr' was refused: the value would leave the safe integer range.",
      });
      expect(fake.raisedEvents).toHaveLength(1);
      expect(counterStatus(instance("c1")).value).toBe(Number.MAX_SAFE_INTEGER);
    });

    it("answers 200 for an instance still Pending whose status appears with the confirmation", async () => {
      fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Pending", input: 2 });
      fake.onRaiseEvent = (target, event) => {
        target.runtimeStatus = "Running";
        target.customStatus = { value: 2, generation: GENERATION, confirmedOps: [] } satisfies CounterStatus;
        applyOperation(target, event);
      };

      const response = await operate("c1", "incr");

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 3, operationId: raisedIds()[0] });
      expect(fake.raisedEvents).toHaveLength(1);
    });

    it("answers 410 when the instance finishes without confirming the operation", async () => {
      runningCounter("c1", 3);
      fake.onRaiseEvent = (target) => {
        target.runtimeStatus = "Completed";
        target.output = 3;
      };

      const response = await operate("c1", "incr");

      expect(response.status).toBe(410);
      expect(response.body).toEqual({
        error: "instance_finished",
        message: "The instance 'c1' finished before the 'incr' operation was confirmed; it may or may not have been applied.",
      });
      expect(fake.raisedEvents).toHaveLength(1);
    });
  });

  describe("Idempotency-Key", () => {
    it("uses the key as the operation id", async () => {
      runningCounter("c1", 5);
      fake.onRaiseEvent = applyOperation;

      const response = await operate("c1", "incr", { "Idempotency-Key": "order-42" });

      expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op: "incr", id: "order-42" } }]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 6, operationId: "order-42" });
    });

    it("answers a key the counter already confirmed at once, with that operation's outcome, without raising it again", async () => {
      runningCounter("c1", 8, [
        ["order-42", 6],
        ["other", 7],
      ]);

      const response = await operate("c1", "incr", { "Idempotency-Key": "order-42" });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 6, operationId: "order-42" });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers a retried 'end' with its outcome even though the instance has completed", async () => {
      fake.addInstance({
        name: "E3_Counter",
        instanceId: "c1",
        runtimeStatus: "Completed",
        input: 4,
        output: 4,
        customStatus: { value: 4, generation: GENERATION, confirmedOps: [["last-call", 4]] } satisfies CounterStatus,
      });

      const response = await operate("c1", "end", { "Idempotency-Key": "last-call" });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 4, operationId: "last-call" });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers 409 at once for a key the counter confirmed as refused, without raising it again", async () => {
      runningCounter("c1", Number.MAX_SAFE_INTEGER - 1, [["too-far", null]]);

      const response = await operate("c1", "incr", { "Idempotency-Key": "too-far" });

      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        error: "operation_refused",
        message: "'incr' was refused: the value would leave the safe integer range.",
      });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers 410 for a completed instance whose status does not confirm the key, and raises nothing", async () => {
      fake.addInstance({
        name: "E3_Counter",
        instanceId: "c1",
        runtimeStatus: "Completed",
        output: 4,
        customStatus: { value: 4, generation: GENERATION, confirmedOps: [["last-call", 4]] } satisfies CounterStatus,
      });

      const response = await operate("c1", "incr", { "Idempotency-Key": "too-late" });

      expect(response.status).toBe(410);
      expect(response.body).toEqual({ error: "instance_finished", message: "The instance 'c1' is Completed and takes no more operations." });
      expect(fake.raisedEvents).toEqual([]);
    });

    it.each([
      ["an empty key", ""],
      ["a key with a space", "order 42"],
      ["a key with a dot", "order.42"],
      ["a key with a slash", "order/42"],
      ["a non-ASCII key", "commande-é"],
      ["a 65-character key", "k".repeat(65)],
    ])("refuses %s with 400 invalid_idempotency_key and raises nothing", async (_what, key) => {
      runningCounter("c1", 0);

      const response = await operate("c1", "incr", { "Idempotency-Key": key });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: "invalid_idempotency_key",
        message: "Idempotency-Key must be 1 to 64 letters, digits, _ or -.",
      });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("accepts a key of exactly 64 characters", async () => {
      runningCounter("c1", 0);
      fake.onRaiseEvent = applyOperation;
      const key = "k".repeat(64);

      const response = await operate("c1", "incr", { "Idempotency-Key": key });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 1, operationId: key });
    });
  });

  describe("resending", () => {
    it("raises the operation once more, with the same id, when the counter continues as new without confirming it", async () => {
      runningCounter("c1", 10);
      fake.onRaiseEvent = (target, event) => {
        if (fake.raisedEvents.length === 1) {
          // Dropped with the batch that continued as new; the next generation reports a little later.
          setTimeout(() => continueAsNew(target, NEXT_GENERATION), 50);
          return;
        }
        applyOperation(target, event);
      };

      const response = await operateWith(QUICK, "c1", "incr");

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 11, operationId: raisedIds()[0] });
      expect(fake.raisedEvents).toHaveLength(2);
      expect(fake.raisedEvents[1]).toEqual(fake.raisedEvents[0]);
      expect(raisedIds()[0]).toMatch(UUID);
    });

    it("raises it again once per new generation, as often as it is dropped", async () => {
      runningCounter("c1", 10);
      const generations = ["2026-01-05T09:00:03.000Z", "2026-01-05T09:00:04.000Z"];
      fake.onRaiseEvent = (target, event) => {
        const generation = generations[fake.raisedEvents.length - 1];
        if (generation !== undefined) return continueAsNew(target, generation);
        applyOperation(target, event);
      };

      const response = await operateWith(QUICK, "c1", "decr", { "Idempotency-Key": "order-42" });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ instanceId: "c1", value: 9, operationId: "order-42" });
      expect(fake.raisedEvents.map((event) => event.data)).toEqual([
        { op: "decr", id: "order-42" },
        { op: "decr", id: "order-42" },
        { op: "decr", id: "order-42" },
      ]);
    });

    it("waits at least firstResendGapMs between raises, doubling the gap after each resend", async () => {
      runningCounter("c1", 10);
      const raisedAt: number[] = [];
      let generation = 0;
      // A busy counter: a new generation every 20 ms, and this operation is never confirmed.
      const churn = setInterval(() => {
        generation += 1;
        continueAsNew(instance("c1"), new Date(Date.parse(GENERATION) + generation * 1000).toISOString());
      }, 20);
      fake.onRaiseEvent = () => raisedAt.push(Date.now());

      try {
        await operateWith({ pollMs: 5, timeoutMs: 700, firstResendGapMs: 100 }, "c1", "incr");
      } finally {
        clearInterval(churn);
      }

      // Raised at 0, then no sooner than 100, 200 and 400 ms after each previous raise: 4 raises in
      // 700 ms, where a resend at every new generation would have made about 35.
      expect(raisedAt.length).toBeGreaterThanOrEqual(3);
      expect(raisedAt.length).toBeLessThanOrEqual(4);
      const gaps = raisedAt.slice(1).map((at, index) => at - (raisedAt[index] ?? at));
      // Measured where the raises arrive, so one request's latency (the first opens its connection;
      // a loaded CI machine adds more) can shorten a gap by a few ms; a resend at every generation
      // would make gaps of about 20 ms.
      gaps.forEach((gap, index) => {
        expect(gap).toBeGreaterThanOrEqual(100 * 2 ** index - 20);
      });
    });

    it("never raises it again while the generation stays the same, and answers 202 when the time is up", async () => {
      runningCounter("c1", 3);
      const started = Date.now();

      const response = await operateWith({ pollMs: 10, timeoutMs: 150, firstResendGapMs: 0 }, "c1", "incr");

      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      // Raised once; unconfirmed for the whole wait, but no new generation, so nothing was dropped.
      expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op: "incr", id: ANY_UUID } }]);
      const [operationId] = raisedIds();
      const location = `${ORIGIN}/api/e3counter/c1`;
      expect(response.status).toBe(202);
      expect(response.headers.location).toBe(location);
      expect(response.headers["retry-after"]).toBe("10");
      expect(response.body).toEqual({
        instanceId: "c1",
        operationId,
        message: `Not confirmed yet. Repeat the request with the header Idempotency-Key: ${String(operationId)} to keep waiting; the operation is applied at most once.`,
        location,
      });
    });

    it("answers a repeat with the 202's Idempotency-Key once the counter has confirmed it, without raising it again", async () => {
      runningCounter("c1", 3);
      const accepted = await operateWith({ pollMs: 10, timeoutMs: 100, firstResendGapMs: 0 }, "c1", "incr");
      expect(accepted.status).toBe(202);
      const { operationId } = accepted.body as { operationId: string };
      // The counter gets to it after the endpoint stopped waiting.
      const [event] = fake.raisedEvents;
      if (event === undefined) throw new Error("Nothing was raised.");
      applyOperation(instance("c1"), event);

      const repeated = await operate("c1", "incr", { "Idempotency-Key": operationId });

      expect(repeated.status).toBe(200);
      expect(repeated.body).toEqual({ instanceId: "c1", value: 4, operationId });
      expect(fake.raisedEvents).toHaveLength(1);
    });

    it("raises a repeat with the 202's Idempotency-Key again when it is still unconfirmed, and the counter applies it once", async () => {
      runningCounter("c1", 3);
      const accepted = await operateWith({ pollMs: 10, timeoutMs: 100, firstResendGapMs: 0 }, "c1", "incr");
      const { operationId } = accepted.body as { operationId: string };
      fake.onRaiseEvent = applyOperation;

      const repeated = await operate("c1", "incr", { "Idempotency-Key": operationId });

      expect(repeated.status).toBe(200);
      expect(repeated.body).toEqual({ instanceId: "c1", value: 4, operationId });
      expect(raisedIds()).toEqual([operationId, operationId]);
    });
  });

  describe("refusals", () => {
    it("answers 404 instance_not_found for an unknown instance and raises nothing", async () => {
      const response = await operate("missing", "incr");
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: "instance_not_found", message: "No E3_Counter instance with ID 'missing' exists." });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers 404 for an instance of another orchestrator and raises nothing", async () => {
      fake.addInstance({ name: "Approval", instanceId: "a1", runtimeStatus: "Running" });
      const response = await operate("a1", "incr");
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: "instance_not_found", message: "No E3_Counter instance with ID 'a1' exists." });
      expect(fake.raisedEvents).toEqual([]);
    });

    it.each(["Completed", "Failed", "Terminated", "Canceled"] as const)(
      "answers 410 for a %s instance and raises nothing",
      async (status) => {
        fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: status, output: 4 });
        const response = await operate("c1", "incr");
        expect(response.status).toBe(410);
        expect(response.body).toEqual({
          error: "instance_finished",
          message: `The instance 'c1' is ${status} and takes no more operations.`,
        });
        expect(fake.raisedEvents).toEqual([]);
      },
    );

    it.each(["reset", "INCR", "add"])("refuses the unknown operation '%s' with 400 and raises nothing", async (op) => {
      runningCounter("c1", 0);
      const response = await operate("c1", op);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: "unknown_operation", message: `Unknown operation '${op}'. Use incr, decr or end.` });
      expect(fake.raisedEvents).toEqual([]);
    });

    it.each([
      ["a JSON body", '{"amount":5}', 400, "unexpected_body", "The operation takes no body: incr is the whole request."],
      ["a JSON number", "5", 400, "unexpected_body", "The operation takes no body: incr is the whole request."],
      ["a body that is not JSON", "{", 400, "invalid_json", "The body is not valid JSON."],
      ["a body over 64 KiB", "1".repeat(64 * 1024 + 1), 413, "body_too_large", "The body is larger than 64 KiB."],
    ])("refuses %s with %i %s and raises nothing", async (_case, body, status, error, message) => {
      runningCounter("c1", 0);
      const response = await invokeHttp("E3CounterOperation", operationRequest("c1", "incr", {}, body), fake.clientData());
      expect(response).toMatchObject({ status, body: { error, message } });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("takes an empty or blank body as no body", async () => {
      runningCounter("c1", 0);
      fake.onRaiseEvent = applyOperation;
      const response = await invokeHttp("E3CounterOperation", operationRequest("c1", "incr", {}, " \n"), fake.clientData());
      expect(response).toMatchObject({ status: 200, body: { instanceId: "c1", value: 1 } });
    });

    it("refuses a malformed instance id with 400 invalid_id", async () => {
      const response = await operate("c?1", "incr");
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: "invalid_id",
        message: "The instance id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.",
      });
      expect(fake.raisedEvents).toEqual([]);
    });
  });
});

describe("GET e3counter/{instanceId} (E3CounterValue)", () => {
  it("reads a running counter's value from customStatus", async () => {
    fake.addInstance({
      name: "E3_Counter",
      instanceId: "c1",
      runtimeStatus: "Running",
      input: { value: 5, recentOps: [["x", 1_767_603_600, 5]] },
      customStatus: { value: 7, generation: GENERATION, confirmedOps: [["x", 5]] } satisfies CounterStatus,
    });
    const response = await readValue("c1");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 7, runtimeStatus: "Running" });
  });

  it("reads a completed counter's value from its output", async () => {
    fake.addInstance({
      name: "E3_Counter",
      instanceId: "c1",
      runtimeStatus: "Completed",
      input: 0,
      customStatus: { value: 11, generation: GENERATION, confirmedOps: [] } satisfies CounterStatus,
      output: 12,
    });
    const response = await readValue("c1");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 12, runtimeStatus: "Completed" });
  });

  it("reads a pending counter's value from its start input until it reports a status", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Pending", input: 3 });
    const response = await readValue("c1");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 3, runtimeStatus: "Pending" });
  });

  it("answers 404 for an unknown instance", async () => {
    const response = await readValue("missing");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "instance_not_found", message: "No E3_Counter instance with ID 'missing' exists." });
  });

  it("answers 404 for an instance of another orchestrator", async () => {
    fake.addInstance({ name: "E1_HelloSequence", instanceId: "h1", runtimeStatus: "Completed", output: ["Hello Tokyo!"] });
    const response = await readValue("h1");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "instance_not_found", message: "No E3_Counter instance with ID 'h1' exists." });
  });

  it("refuses a malformed instance id with 400 invalid_id", async () => {
    const response = await readValue("x".repeat(101));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "invalid_id",
      message: "The instance id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.",
    });
  });
});
