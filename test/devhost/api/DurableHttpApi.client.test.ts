import { HttpRequest, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../../devhost/clock/Clock.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { instanceArranger, newId, takeControlMessages } from "../taskHubFixture.js";
import { SYSTEM_KEY, useServedApi } from "./servedApi.js";

/**
 * The real durable-functions DurableClient against the API, built from the binding data as
 * df.getClient builds it for a client function: every call goes through rpcBaseUrl.
 */

const ANY_STRING: unknown = expect.any(String);
const clock = new VirtualClock(new Date("2035-07-08T09:10:11.121Z"));
const served = useServedApi("SdkClientTest", clock);

beforeEach(() => {
  // What the host sets, as Core Tools does; without it getClient points management URLs at localhost:7071.
  vi.stubEnv("WEBSITE_HOSTNAME", new URL(served.origin).host);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function durableClient(): df.DurableClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    invocationId: "sdk-client-test",
    functionName: "ClientFunction",
    options: { trigger: { type: "httpTrigger", name: "request" }, extraInputs: [input], extraOutputs: [] },
  });
  context.extraInputs.set(input, served.binding);
  return df.getClient(context);
}

const arrange = instanceArranger(served, { input: '{"city":"Tokyo"}', createdTime: "2035-01-01T00:00:00.000Z", lastUpdatedTime: "2035-01-01T00:00:01.000Z" });

async function eventsSentTo(instanceId: string): Promise<unknown[]> {
  return (await takeControlMessages(served.storage, instanceId)).map((message) => (message.kind === "orchestration" ? message.event : message));
}

describe("durable-functions DurableClient over the API", () => {
  it("starts instances, with and without an id", async () => {
    const client = durableClient();
    const given = newId("sdk-start");
    expect(await client.startNew("HelloSequence", { instanceId: given, input: { city: "Oslo" } })).toBe(given);
    const generated = await client.startNew("Approval");
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(await served.storage.getInstance(given)).toMatchObject({ runtimeStatus: "Pending", input: '{"city":"Oslo"}' });
    expect(await eventsSentTo(given)).toEqual([{ EventType: EventType.ExecutionStarted, Name: "HelloSequence", Input: '{"city":"Oslo"}' }]);
    // With no input the SDK posts `""` (axios JSON-encodes its empty string), which the extension takes as the input "".
    expect(await eventsSentTo(generated)).toEqual([{ EventType: EventType.ExecutionStarted, Name: "Approval", Input: '""' }]);
  });

  it("rejects starts the extension refuses: unknown orchestrators (400) and running instances (500)", async () => {
    const client = durableClient();
    await expect(client.startNew("Counter")).rejects.toThrow(/unexpected status code: 400/);
    const running = newId("sdk-running");
    await arrange(running, "Running");
    await expect(client.startNew("HelloSequence", { instanceId: running })).rejects.toThrow(/500.*already exists/);
  });

  it("reads a status, with history when asked, and throws for an unknown instance", async () => {
    const client = durableClient();
    const id = newId("sdk-status");
    await arrange(id, "Running", { customStatus: '"halfway"' });
    const status = await client.getStatus(id, { showHistory: true, showInput: true });
    expect(status).toMatchObject({ name: "HelloSequence", instanceId: id, runtimeStatus: "Running", input: { city: "Tokyo" }, customStatus: "halfway", output: null });
    expect(status.createdTime).toEqual(new Date("2035-01-01T00:00:00.000Z"));
    // The extension sends the history as historyEvents; durable-functions 3.5 reads `history`, so it never sees it.
    expect(status.history).toBeUndefined();
    await expect(client.getStatus(newId("sdk-nobody"))).rejects.toThrow(/404/);
  });

  it("lists instances by filter across pages (getStatusBy follows the continuation header)", async () => {
    const client = durableClient();
    const prefix = newId("sdk-many");
    const createdTime = "2036-02-02T02:02:02.000Z";
    await Promise.all(Array.from({ length: 105 }, (_, index) => arrange(`${prefix}-${index}`, "Completed", { createdTime })));
    await arrange(`${prefix}-running`, "Running", { createdTime });
    const found = await client.getStatusBy({
      createdTimeFrom: new Date("2036-02-02T02:00:00Z"),
      createdTimeTo: new Date("2036-02-02T02:05:00Z"),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(found).toHaveLength(105);
    expect(new Set(found.map((status) => status.instanceId)).size).toBe(105);
    const all = await client.getStatusAll();
    expect(all.filter((status) => status.instanceId.startsWith(prefix))).toHaveLength(106);
  });

  it("raises events: unknown instances reject, finished ones are quietly accepted (410)", async () => {
    const client = durableClient();
    const id = newId("sdk-raise");
    const done = newId("sdk-done");
    await arrange(id, "Running");
    await arrange(done, "Completed");
    await client.raiseEvent(id, "Approval", { approved: true });
    await client.raiseEvent(done, "Approval", true);
    await expect(client.raiseEvent(newId("sdk-nobody"), "Approval", true)).rejects.toThrow(/No instance with ID/);
    expect(await eventsSentTo(id)).toEqual([{ EventType: EventType.EventRaised, Name: "Approval", Input: '{"approved":true}' }]);
    expect(await eventsSentTo(done)).toEqual([]);
  });

  it("terminates, suspends and resumes", async () => {
    const client = durableClient();
    const id = newId("sdk-control");
    await arrange(id, "Running");
    await client.suspend(id, "wait");
    await arrange(id, "Suspended");
    await expect(client.suspend(id, "again")).rejects.toThrow(/500/);
    await client.resume(id, "go");
    await client.terminate(id, "stop");
    expect(await eventsSentTo(id)).toEqual([
      { EventType: EventType.ExecutionSuspended, Reason: "wait" },
      { EventType: EventType.ExecutionResumed, Reason: "go" },
      { EventType: EventType.ExecutionTerminated, Input: '"stop"' },
    ]);
    await expect(client.rewind(id, "why")).rejects.toThrow(/500/);
    const failed = newId("sdk-failed");
    await arrange(failed, "Failed");
    await expect(client.rewind(failed, "again")).rejects.toThrow("The rewind operation is not supported by the underlying storage provider.");
  });

  it("purges one instance, and by filter", async () => {
    const client = durableClient();
    const id = newId("sdk-purge");
    await arrange(id, "Completed");
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 0 });

    const prefix = newId("sdk-purge-by");
    const createdTime = "2037-03-03T03:03:03.000Z";
    await Promise.all([arrange(`${prefix}-a`, "Completed", { createdTime }), arrange(`${prefix}-b`, "Failed", { createdTime })]);
    const filter = {
      createdTimeFrom: new Date("2037-03-03T03:00:00Z"),
      createdTimeTo: new Date("2037-03-03T03:10:00Z"),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed, df.OrchestrationRuntimeStatus.Failed],
    };
    expect(await client.purgeInstanceHistoryBy(filter)).toEqual({ instancesDeleted: 2 });
    expect(await client.purgeInstanceHistoryBy(filter)).toEqual({ instancesDeleted: 0 });
  });

  it("signals entities and reads their state", async () => {
    const client = durableClient();
    const key = newId("sdk-entity");
    await client.signalEntity(new df.EntityId("Counter", key), "add", 3);
    const messages = await takeControlMessages(served.storage, `@counter@${key}`);
    expect(messages).toEqual([{ kind: "entity", id: ANY_STRING, instanceId: `@counter@${key}`, operation: "add", input: "3", isSignal: true }]);

    expect(await client.readEntityState(new df.EntityId("Counter", key))).toEqual({ entityExists: false });
    await served.storage.writeEntity({
      instanceId: `@counter@${key}`,
      name: "counter",
      key,
      exists: true,
      state: "3",
      processedMessageIds: [],
      outbox: [],
      lastModifiedTime: "2035-07-08T09:00:00.000Z",
    });
    expect(await client.readEntityState<number>(new df.EntityId("Counter", key))).toEqual({ entityExists: true, entityState: 3 });
  });

  it("builds check-status responses whose URLs work, from the request's origin", async () => {
    const client = durableClient();
    const id = newId("sdk-check");
    await arrange(id, "Running");
    const request = new HttpRequest({ method: "POST", url: `${served.origin}/api/HttpStart` });
    const response = client.createCheckStatusResponse(request, id);
    expect(response.status).toBe(202);
    expect(response.headers.get("retry-after")).toBe("10");
    const payload = (await response.json()) as Record<string, string>;
    expect(response.headers.get("location")).toBe(payload.statusQueryGetUri);
    expect(payload.statusQueryGetUri).toBe(
      `${served.webhook}/instances/${id}?taskHub=${served.storage.options.taskHubName}&connection=Storage&code=${SYSTEM_KEY}`,
    );

    expect((await fetch(payload.statusQueryGetUri ?? "")).status).toBe(202);
    const sendEvent = (payload.sendEventPostUri ?? "").replace("{eventName}", "Approval");
    expect((await fetch(sendEvent, { method: "POST", body: "true", headers: { "Content-Type": "application/json" } })).status).toBe(202);
    expect((await fetch((payload.suspendPostUri ?? "").replace("{text}", "pause"), { method: "POST" })).status).toBe(202);
    expect((await fetch((payload.terminatePostUri ?? "").replace("{text}", "stop"), { method: "POST" })).status).toBe(202);
    expect(await eventsSentTo(id)).toEqual([
      { EventType: EventType.EventRaised, Name: "Approval", Input: "true" },
      { EventType: EventType.ExecutionSuspended, Reason: "pause" },
      { EventType: EventType.ExecutionTerminated, Input: '"stop"' },
    ]);
  });

  it("keeps the binding's origin in management payloads only when WEBSITE_HOSTNAME is set", async () => {
    const id = newId("sdk-payload");
    await arrange(id, "Completed", { output: '"done"' });
    const payload = durableClient().createHttpManagementPayload(id);
    expect(payload.statusQueryGetUri.startsWith(`${served.webhook}/instances/${id}?`)).toBe(true);
    const status = await fetch(payload.statusQueryGetUri);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ instanceId: id, output: "done" });

    vi.stubEnv("WEBSITE_HOSTNAME", "");
    expect(durableClient().createHttpManagementPayload(id).statusQueryGetUri.startsWith("http://localhost:7071/runtime/webhooks/durabletask/")).toBe(true);
  });

  it("waits for completion: the output once completed, the check-status 202 when time runs out", async () => {
    const client = durableClient();
    const request = new HttpRequest({ method: "POST", url: `${served.origin}/api/HttpStart` });
    const done = newId("sdk-wait-done");
    await arrange(done, "Completed", { output: '{"total":3}' });
    const completed = await client.waitForCompletionOrCreateCheckStatusResponse(request, done, { timeoutInMilliseconds: 1000, retryIntervalInMilliseconds: 100 });
    expect(completed.status).toBe(200);
    expect(await completed.json()).toEqual({ total: 3 });

    const running = newId("sdk-wait-running");
    await arrange(running, "Running");
    const pending = await client.waitForCompletionOrCreateCheckStatusResponse(request, running, { timeoutInMilliseconds: 300, retryIntervalInMilliseconds: 100 });
    expect(pending.status).toBe(202);
    expect(pending.headers.get("location")).toContain(`/runtime/webhooks/durabletask/instances/${running}?`);
  });

  it("sends an event without data as an empty body, which the extension refuses as invalid JSON", async () => {
    const id = newId("sdk-nodata");
    await arrange(id, "Running");
    await expect(durableClient().raiseEvent(id, "Ping", undefined)).rejects.toThrow(/400.*Invalid JSON content/);
  });
});
