import { beforeAll, describe, expect, it } from "vitest";
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { invocationContext, loadApp, registeredFunction } from "../support/functionsHost.js";
import { useFakeDurableExtension } from "../support/fakeDurableExtension.js";
import { findInstance } from "../../src/durable/instances.js";

/** findInstance with the real DurableClient against the fake extension, including the probe after a rejected getStatus. */

const fake = useFakeDurableExtension();

beforeAll(async () => {
  await loadApp();
});

function find(instanceId: string): ReturnType<typeof findInstance> {
  const context: InvocationContext = invocationContext(registeredFunction("HttpStartSingle"), [], fake.clientData());
  return findInstance(df.getClient(context), context, instanceId);
}

/**
 * The interleaving of two starters: this caller's getStatus is answered 404, then (before its probe)
 * the other caller's start lands. The fake answers 404 to the first status query and adds the
 * instance as it does so, so the probe that follows finds it.
 */
function instanceAppearsAfterFirstQuery(instanceId: string, runtimeStatus: "Pending" | "Completed"): void {
  let queries = 0;
  fake.onStatusQuery = (queried) => {
    if (queried !== instanceId || ++queries > 1) return undefined;
    fake.addInstance({
      name: "E3_Counter",
      instanceId,
      runtimeStatus,
      input: 4,
      customStatus: { value: 4 },
      output: runtimeStatus === "Completed" ? 9 : null,
      createdTime: "2030-01-02T03:04:05.000Z",
      lastUpdatedTime: "2030-01-02T03:04:06.000Z",
    });
    return 404;
  };
}

describe("findInstance", () => {
  it("returns the status of an existing instance with one status query", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Running", input: 3 });
    const status = await find("c1");
    expect(status).toMatchObject({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Running", input: 3 });
    expect(fake.statusQueries).toBe(1);
  });

  it("returns undefined for an unknown id, after asking the status endpoint for its 404", async () => {
    expect(await find("nobody")).toBeUndefined();
    expect(fake.statusQueries).toBe(2);
  });

  it("returns the instance the probe finds when it was started between getStatus's 404 and the probe", async () => {
    instanceAppearsAfterFirstQuery("raced", "Pending");

    const status = await find("raced");

    expect(fake.statusQueries).toBe(2);
    expect(status).toEqual({
      name: "E3_Counter",
      instanceId: "raced",
      runtimeStatus: "Pending",
      input: 4,
      output: null,
      customStatus: { value: 4 },
      createdTime: new Date("2030-01-02T03:04:05.000Z"),
      lastUpdatedTime: new Date("2030-01-02T03:04:06.000Z"),
    });
    expect(status?.createdTime).toBeInstanceOf(Date);
    expect(status?.lastUpdatedTime).toBeInstanceOf(Date);
  });

  it("returns a finished instance the probe finds with 200", async () => {
    instanceAppearsAfterFirstQuery("raced-done", "Completed");
    expect(await find("raced-done")).toMatchObject({ instanceId: "raced-done", runtimeStatus: "Completed", output: 9 });
  });

  it("rethrows getStatus's own error when the probe answers neither 404 nor a status", async () => {
    const answers = [500, 503];
    fake.onStatusQuery = () => answers.shift();

    await expect(find("broken")).rejects.toThrow("The operation failed with an unexpected status code: 500.");
    expect(fake.statusQueries).toBe(2);
  });

  it("refuses a probe body that is not an orchestration status", async () => {
    let queries = 0;
    fake.onStatusQuery = () => (++queries === 1 ? 404 : undefined);
    fake.addInstance({ name: "E3_Counter", instanceId: "odd", runtimeStatus: "Running" });
    const instance = fake.instances.get("odd");
    if (instance === undefined) throw new Error("the fake has no instance");
    // What an extension answering in some other shape would send.
    Object.assign(instance, { createdTime: 17 });

    await expect(find("odd")).rejects.toThrow("The status endpoint answered for 'odd' with a body that is not an orchestration status.");
  });
});
