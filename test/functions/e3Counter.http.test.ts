import { beforeAll, describe, expect, it } from "vitest";
import type { HttpRequestInit } from "@azure/functions";
import { invokeDurableHttpHandler, invokeHttp, loadApp } from "../support/functionsHost.js";
import { useFakeDurableExtension, type FakeInstance, type RaisedEvent } from "../support/fakeDurableExtension.js";
import { createE3OperationHandler, type ConfirmationTiming } from "../../src/functions/e3Counter.js";
import { withJsonErrors } from "../../src/http/jsonResponses.js";

const ORIGIN = "https://patterns.example.net";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ANY_UUID: unknown = expect.stringMatching(UUID);

const fake = useFakeDurableExtension();

beforeAll(async () => {
  delete process.env.WEBSITE_HOSTNAME;
  await loadApp();
});

function operationRequest(instanceId: string, op: string): HttpRequestInit {
  return {
    method: "POST",
    url: `${ORIGIN}/api/e3counter/${encodeURIComponent(instanceId)}/${encodeURIComponent(op)}`,
    params: { instanceId, op },
  };
}

const operate = (instanceId: string, op: string) => invokeHttp("E3CounterOperation", operationRequest(instanceId, op), fake.clientData());

/** The registered handler's logic with test timings, wrapped as the registered function is. */
const operateWith = (timing: ConfirmationTiming, instanceId: string, op: string) =>
  invokeDurableHttpHandler("E3CounterOperation", withJsonErrors(createE3OperationHandler(timing)), operationRequest(instanceId, op), fake.clientData());

const readValue = (instanceId: string) =>
  invokeHttp(
    "E3CounterValue",
    { method: "GET", url: `${ORIGIN}/api/e3counter/${encodeURIComponent(instanceId)}`, params: { instanceId } },
    fake.clientData(),
  );

function runningCounter(instanceId: string, value: number, confirmedOps: string[] = []): FakeInstance {
  return fake.addInstance({ name: "E3_Counter", instanceId, runtimeStatus: "Running", input: value, customStatus: { value, confirmedOps } });
}

interface CounterStatus {
  value: number;
  confirmedOps: string[];
}

/** Plays E3_Counter's part for one event: applies it once and confirms its id, as the orchestration does. */
function applyOperation(instance: FakeInstance, event: RaisedEvent): void {
  const { op, id } = event.data as { op: string; id: string };
  const status = instance.customStatus as CounterStatus;
  if (status.confirmedOps.includes(id)) return;
  const value = op === "incr" ? status.value + 1 : op === "decr" ? status.value - 1 : status.value;
  instance.customStatus = { value, confirmedOps: [...status.confirmedOps, id] };
  if (op === "end") {
    instance.runtimeStatus = "Completed";
    instance.output = value;
  }
}

function raisedIds(): unknown[] {
  return fake.raisedEvents.map((event) => (event.data as { id?: unknown }).id);
}

describe("POST e3counter/{instanceId}/{op} (E3CounterOperation)", () => {
  it.each([
    ["incr", 6],
    ["decr", 4],
  ])("raises %s with a fresh id and answers 200 with the confirmed value", async (op, expected) => {
    runningCounter("c1", 5, ["older-op"]);
    fake.onRaiseEvent = applyOperation;

    const response = await operate("c1", op);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: expected });
    expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op, id: ANY_UUID } }]);
    expect((fake.instances.get("c1")?.customStatus as CounterStatus).confirmedOps).toEqual(["older-op", raisedIds()[0]]);
  });

  it("uses a new operation id for every request", async () => {
    runningCounter("c1", 0);
    fake.onRaiseEvent = applyOperation;

    await operate("c1", "incr");
    await operate("c1", "incr");
    const ids = raisedIds();
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    expect((fake.instances.get("c1")?.customStatus as CounterStatus).value).toBe(2);
  });

  it("raises the same operation id again after resendMs when the first delivery is dropped", async () => {
    runningCounter("c1", 10);
    let deliveries = 0;
    fake.onRaiseEvent = (instance, event) => {
      deliveries += 1;
      if (deliveries === 1) return; // dropped, as an event in the same batch as a ContinueAsNew can be
      applyOperation(instance, event);
    };

    const response = await operateWith({ pollMs: 10, resendMs: 50, timeoutMs: 2_000 }, "c1", "incr");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 11 });
    expect(fake.raisedEvents).toHaveLength(2);
    expect(fake.raisedEvents[1]).toEqual(fake.raisedEvents[0]);
    expect(raisedIds()[0]).toMatch(UUID);
  });

  it("answers 202 with the operation id and the status URL when the operation is never confirmed", async () => {
    runningCounter("c1", 3);

    const response = await operateWith({ pollMs: 10, resendMs: 40, timeoutMs: 150 }, "c1", "incr");
    const ids = raisedIds();
    const { statusQueryGetUri } = fake.checkStatusPayload(ORIGIN, "c1");
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(statusQueryGetUri);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.body).toEqual({
      instanceId: "c1",
      operationId: ids[0],
      message: "The operation was raised but not yet confirmed; its id appears in customStatus.confirmedOps once applied.",
      statusQueryGetUri,
    });
    // Raised once and resent every resendMs, always with the same id.
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(UUID);
  });

  it("answers 410 when the instance finishes without confirming the operation", async () => {
    runningCounter("c1", 3);
    fake.onRaiseEvent = (instance) => {
      instance.runtimeStatus = "Completed";
      instance.output = 3;
    };

    const response = await operate("c1", "incr");
    expect(response.status).toBe(410);
    expect(response.body).toEqual({
      error: "instance_finished",
      message: "The instance 'c1' finished before the 'incr' operation was applied.",
    });
    expect(fake.raisedEvents).toHaveLength(1);
  });

  it("answers 200 with the final value for end, which completes the instance", async () => {
    runningCounter("c1", 9);
    fake.onRaiseEvent = applyOperation;

    const response = await operate("c1", "end");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 9 });
    expect(fake.instances.get("c1")).toMatchObject({ runtimeStatus: "Completed", output: 9 });
    expect(fake.raisedEvents).toEqual([{ instanceId: "c1", name: "operation", data: { op: "end", id: ANY_UUID } }]);
  });

  it("answers 200 for an instance still Pending whose status appears with the confirmation", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Pending", input: 2 });
    fake.onRaiseEvent = (instance, event) => {
      instance.runtimeStatus = "Running";
      instance.customStatus = { value: 2, confirmedOps: [] };
      applyOperation(instance, event);
    };

    const response = await operate("c1", "incr");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ instanceId: "c1", value: 3 });
  });

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

  it("refuses a malformed instance id with 400 invalid_id", async () => {
    const response = await operate("c?1", "incr");
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "invalid_id",
      message: "The instance id must not contain / \\ # ? % or control characters.",
    });
    expect(fake.raisedEvents).toEqual([]);
  });
});

describe("GET e3counter/{instanceId} (E3CounterValue)", () => {
  it("reads a running counter's value from customStatus", async () => {
    fake.addInstance({
      name: "E3_Counter",
      instanceId: "c1",
      runtimeStatus: "Running",
      input: { value: 5, recentOps: [["x", 1]] },
      customStatus: { value: 7, confirmedOps: ["x"] },
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
      customStatus: { value: 11, confirmedOps: [] },
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
    expect(response.body).toEqual({ error: "invalid_id", message: "The instance id is longer than 100 characters." });
  });
});
