import { beforeAll, describe, expect, it } from "vitest";
import type { InvocationContext } from "@azure/functions";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { useFakeDurableExtension } from "../support/fakeDurableExtension.js";
import { findInstance, pollStatus } from "../../src/durable/instances.js";

/** Status reads against the fake extension's status endpoint, the one durable-functions' getStatus calls. */

const fake = useFakeDurableExtension();

beforeAll(async () => {
  await loadApp();
});

function contextWith(logs: LogLine[] = []): InvocationContext {
  return invocationContext(registeredFunction("HttpStartSingle"), logs, fake.clientData());
}

describe("findInstance", () => {
  it("returns an existing instance's status, with Dates, from one status query", async () => {
    fake.addInstance({
      name: "E3_Counter",
      instanceId: "c1",
      runtimeStatus: "Running",
      input: 3,
      createdTime: "2030-01-02T03:04:05.000Z",
      lastUpdatedTime: "2030-01-02T03:04:06.000Z",
    });

    const status = await findInstance(contextWith(), "c1", { showInput: true });

    expect(status).toMatchObject({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Running", input: 3 });
    expect(status?.createdTime).toEqual(new Date("2030-01-02T03:04:05.000Z"));
    expect(status?.lastUpdatedTime).toEqual(new Date("2030-01-02T03:04:06.000Z"));
    expect(fake.statusQueries).toBe(1);
  });

  it("leaves the input out when asked to", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", input: { value: 1, recentOps: [["a", 1, 1]] } });
    const status = await findInstance(contextWith(), "c1", { showInput: false });
    expect(status?.input).toBeNull();
  });

  it("returns a finished instance, which the endpoint answers with 200", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "done", runtimeStatus: "Completed", output: 9 });
    expect(await findInstance(contextWith(), "done", { showInput: false })).toMatchObject({ runtimeStatus: "Completed", output: 9 });
  });

  it("shares one status query among concurrent readers of one instance (the E3 endpoint's waiting requests)", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", customStatus: 4 });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => findInstance(contextWith(), "c1", { showInput: false })));
    expect(statuses.map((status) => status?.customStatus)).toEqual(Array.from({ length: 40 }, () => 4));
    // One query, and at most one more for those who asked while it ran.
    expect(fake.statusQueries).toBeLessThanOrEqual(2);
  });

  it("returns undefined for an unknown id: the endpoint's 404 is the contract, with no second query", async () => {
    expect(await findInstance(contextWith(), "nobody", { showInput: true })).toBeUndefined();
    expect(fake.statusQueries).toBe(1);
  });

  it("asks for an id with URL-reserved characters encoded", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "a:b~c.d" });
    expect(await findInstance(contextWith(), "a:b~c.d", { showInput: false })).toMatchObject({ instanceId: "a:b~c.d" });
  });

  it("throws, with the status code, when the endpoint answers anything else", async () => {
    fake.onStatusQuery = () => 500;
    await expect(findInstance(contextWith(), "c1", { showInput: true })).rejects.toThrow(
      "The Durable extension answered 500 for the status of 'c1'",
    );
  });

  it("refuses a body that is not an orchestration status", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "odd", runtimeStatus: "Sleeping" as "Running" });
    await expect(findInstance(contextWith(), "odd", { showInput: true })).rejects.toThrow(
      "The status endpoint answered for 'odd' with a body that is not an orchestration status.",
    );
  });
});

describe("pollStatus", () => {
  it("reads without the input until done answers", async () => {
    const instance = fake.addInstance({ name: "E3_Counter", instanceId: "c1", input: "large", customStatus: 0 });
    setTimeout(() => (instance.customStatus = 3), 30);

    const seenInputs: unknown[] = [];
    const result = await pollStatus(contextWith(), "c1", { intervalMs: 5, timeoutMs: 2_000 }, (status) => {
      seenInputs.push(status.input);
      return status.customStatus === 3 ? "done" : undefined;
    });

    expect(result).toBe("done");
    expect(new Set(seenInputs)).toEqual(new Set([null]));
  });

  it("answers undefined when the time is up", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1" });
    expect(await pollStatus(contextWith(), "c1", { intervalMs: 5, timeoutMs: 40 }, () => undefined)).toBeUndefined();
  });

  it("rides out a failed read, with a warning, instead of failing the caller's request", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", customStatus: 7 });
    let queries = 0;
    fake.onStatusQuery = () => (++queries === 1 ? 503 : undefined);
    const logs: LogLine[] = [];

    const result = await pollStatus(contextWith(logs), "c1", { intervalMs: 5, timeoutMs: 2_000 }, (status) => status.customStatus);

    expect(result).toBe(7);
    expect(logs).toEqual([{ level: "warning", message: expect.stringContaining("Reading the status of 'c1' failed; trying again:") as unknown }]);
  });
});
