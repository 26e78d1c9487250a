import { beforeAll, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../../devhost/clock/Clock.js";
import { ClientError, type ClientErrorKind } from "../../../devhost/client/ClientError.js";
import { EventType, type HistoryEvent } from "../../../devhost/protocol/historyEvents.js";
import type { RuntimeStatus } from "../../../devhost/protocol/runtimeStatus.js";
import type { TaskHubClient } from "../../../devhost/client/TaskHubClient.js";
import { entityBuilder, instanceArranger, newId, takeControlMessages, taskHubClient, useTaskHub } from "../taskHubFixture.js";

/** The client over the real storage on Azurite: rows as written, messages as sent (no engine runs). */

const ANY_STRING: unknown = expect.any(String);
const A_GUID: unknown = expect.stringMatching(/^[0-9a-f]{32}$/);
const hub = useTaskHub("ClientTest");
const clock = new VirtualClock(new Date("2031-05-06T07:08:09.123Z"));
let client: TaskHubClient;

beforeAll(() => {
  client = taskHubClient(hub.storage, clock);
});

const arrange = instanceArranger(hub, { input: '"Tokyo"', createdTime: "2031-01-01T00:00:00.000Z", lastUpdatedTime: "2031-01-01T00:00:01.000Z" });

async function refusal(operation: Promise<unknown>): Promise<{ kind: ClientErrorKind; message: string }> {
  const error: unknown = await operation.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return { kind: error.kind, message: error.message };
}

const UNFINISHED: RuntimeStatus[] = ["Pending", "Running", "ContinuedAsNew", "Suspended"];
const FINISHED: RuntimeStatus[] = ["Completed", "Failed", "Terminated", "Canceled"];

describe("TaskHubClient.startNew", () => {
  it("writes a Pending row stamped by the clock and sends ExecutionStarted for a new execution", async () => {
    const instanceId = newId("start");
    expect(await client.startNew("hellosequence", { instanceId, input: '{"city":"Tokyo"}' })).toBe(instanceId);

    const row = await hub.storage.getInstance(instanceId);
    expect(row).toEqual({
      instanceId,
      name: "HelloSequence",
      executionId: A_GUID,
      runtimeStatus: "Pending",
      input: '{"city":"Tokyo"}',
      createdTime: "2031-05-06T07:08:09.123Z",
      lastUpdatedTime: "2031-05-06T07:08:09.123Z",
    });
    expect(await takeControlMessages(hub.storage, instanceId)).toEqual([
      {
        kind: "orchestration",
        id: ANY_STRING,
        instanceId,
        event: { EventType: EventType.ExecutionStarted, Name: "HelloSequence", Input: '{"city":"Tokyo"}' },
        newExecutionId: row?.executionId,
      },
    ]);
  });

  it("makes up a 32-hex-digit id when none (or an empty one) is given, and leaves input out when there is none", async () => {
    const generated = await client.startNew("Approval");
    const fromEmpty = await client.startNew("Approval", { instanceId: "" });
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(fromEmpty).toMatch(/^[0-9a-f]{32}$/);
    expect(fromEmpty).not.toBe(generated);
    expect((await hub.storage.getInstance(generated))?.input).toBeUndefined();
    const [message] = await takeControlMessages(hub.storage, generated);
    expect(message?.kind === "orchestration" && message.event).toEqual({ EventType: EventType.ExecutionStarted, Name: "Approval" });
    await takeControlMessages(hub.storage, fromEmpty);
  });

  it("refuses a function that is not a registered orchestrator, naming the known ones", async () => {
    const instanceId = newId("unknown");
    expect(await refusal(client.startNew("Counter", { instanceId }))).toEqual({
      kind: "badArgument",
      message:
        "The function 'Counter' doesn't exist, is disabled, or is not an orchestrator function. Additional info: " +
        "The following are the known orchestrator functions: 'HelloSequence', 'Approval'.",
    });
    expect(await hub.storage.getInstance(instanceId)).toBeUndefined();
    expect(await takeControlMessages(hub.storage, instanceId)).toEqual([]);
  });

  it.each([
    ["@entity@key", "instanceId (Parameter 'Orchestration instance ids must not start with @.')"],
    ["a/b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a\\b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a#b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a?b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a\u0007b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a\u0085b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["x".repeat(257), "Instance ID lengths must not exceed 256 characters."],
  ])("refuses the instance id %j", async (instanceId, message) => {
    expect(await refusal(client.startNew("HelloSequence", { instanceId }))).toEqual({ kind: "badArgument", message });
  });

  it("accepts an id of exactly 256 characters", async () => {
    const instanceId = `${newId("long")}-`.padEnd(256, "x");
    expect(await client.startNew("HelloSequence", { instanceId })).toBe(instanceId);
    await takeControlMessages(hub.storage, instanceId);
  });

  it.each(UNFINISHED)("refuses to start over a %s instance and leaves it alone", async (status) => {
    const instanceId = newId(`dup-${status}`);
    const existing = await arrange(instanceId, status);
    expect(await refusal(client.startNew("HelloSequence", { instanceId }))).toEqual({
      kind: "alreadyExists",
      message: `An Orchestration instance with the status ${status} already exists.`,
    });
    expect(await hub.storage.getInstance(instanceId)).toEqual(existing);
    expect(await takeControlMessages(hub.storage, instanceId)).toEqual([]);
  });

  it.each(FINISHED)("starts a new execution over a %s instance", async (status) => {
    const instanceId = newId(`again-${status}`);
    await arrange(instanceId, status, { output: '"done"', customStatus: '"x"' });
    await client.startNew("Approval", { instanceId, input: "1" });
    const row = await hub.storage.getInstance(instanceId);
    expect(row).toMatchObject({ name: "Approval", runtimeStatus: "Pending", input: "1" });
    expect(row?.executionId).not.toBe(`exec-${instanceId}`);
    expect(row?.output).toBeUndefined();
    expect(row?.customStatus).toBeUndefined();
    const messages = await takeControlMessages(hub.storage, instanceId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ newExecutionId: row?.executionId });
  });

  it("puts back what was there when the start message cannot be sent, so the id is not held by a Pending row", async () => {
    const fresh = newId("unsent");
    const finished = newId("unsent-again");
    const before = await arrange(finished, "Completed", { output: '"done"' });
    const send = vi.spyOn(hub.storage, "sendControl").mockRejectedValue(new Error("queue unreachable"));
    try {
      await expect(client.startNew("HelloSequence", { instanceId: fresh })).rejects.toThrow("queue unreachable");
      await expect(client.startNew("HelloSequence", { instanceId: finished })).rejects.toThrow("queue unreachable");
    } finally {
      send.mockRestore();
    }
    expect(await hub.storage.getInstance(fresh)).toBeUndefined();
    expect(await hub.storage.getInstance(finished)).toEqual(before);
    // And the id can be started once the queue answers again.
    expect(await client.startNew("HelloSequence", { instanceId: fresh })).toBe(fresh);
    expect(await takeControlMessages(hub.storage, fresh)).toHaveLength(1);
  });
});

describe("TaskHubClient events, terminate, suspend, resume and rewind", () => {
  it("raises an event on an unfinished instance (a suspended one buffers it)", async () => {
    const instanceId = newId("raise");
    await arrange(instanceId, "Suspended");
    await client.raiseEvent(instanceId, "Approval", '{"approved":true}');
    expect(await takeControlMessages(hub.storage, instanceId)).toEqual([
      {
        kind: "orchestration",
        id: ANY_STRING,
        instanceId,
        event: { EventType: EventType.EventRaised, Name: "Approval", Input: '{"approved":true}' },
      },
    ]);
  });

  it("refuses events for unknown and finished instances", async () => {
    expect((await refusal(client.raiseEvent(newId("nobody"), "E", "1"))).kind).toBe("notFound");
    for (const status of FINISHED) {
      const instanceId = newId(`raise-${status}`);
      await arrange(instanceId, status);
      expect((await refusal(client.raiseEvent(instanceId, "E", "1"))).kind).toBe("finished");
      expect(await takeControlMessages(hub.storage, instanceId)).toEqual([]);
    }
  });

  it("terminates with the reason as JSON text, and without Input when there is no reason", async () => {
    const instanceId = newId("terminate");
    await arrange(instanceId, "Running");
    await client.terminate(instanceId, "enough");
    await client.terminate(instanceId);
    const events = (await takeControlMessages(hub.storage, instanceId)).map((message) => message.kind === "orchestration" && message.event);
    expect(events).toEqual([{ EventType: EventType.ExecutionTerminated, Input: '"enough"' }, { EventType: EventType.ExecutionTerminated }]);
  });

  it("refuses to terminate unknown and finished instances", async () => {
    expect((await refusal(client.terminate(newId("nobody"), "x"))).kind).toBe("notFound");
    const instanceId = newId("terminated");
    await arrange(instanceId, "Terminated");
    expect((await refusal(client.terminate(instanceId, "x"))).kind).toBe("finished");
  });

  it("suspends a running instance and resumes a suspended one, with the reason", async () => {
    const running = newId("suspend");
    const suspended = newId("resume");
    await arrange(running, "Running");
    await arrange(suspended, "Suspended");
    await client.suspend(running, "pause");
    await client.resume(suspended, "go on");
    const [suspendMessage] = await takeControlMessages(hub.storage, running);
    const [resumeMessage] = await takeControlMessages(hub.storage, suspended);
    expect(suspendMessage).toMatchObject({ kind: "orchestration", event: { EventType: EventType.ExecutionSuspended, Reason: "pause" } });
    expect(resumeMessage).toMatchObject({ kind: "orchestration", event: { EventType: EventType.ExecutionResumed, Reason: "go on" } });
  });

  it("refuses to suspend a suspended instance or resume one that is not suspended", async () => {
    const suspended = newId("suspended");
    const running = newId("running");
    await arrange(suspended, "Suspended");
    await arrange(running, "Running");
    expect(await refusal(client.suspend(suspended))).toEqual({
      kind: "invalidState",
      message: `Cannot suspend the orchestration instance ${suspended} because instance is in the Suspended state.`,
    });
    expect(await refusal(client.resume(running))).toEqual({
      kind: "invalidState",
      message: `Cannot resume the orchestration instance ${running} because instance is in the Running state.`,
    });
    const completed = newId("completed");
    await arrange(completed, "Completed");
    expect((await refusal(client.suspend(completed))).kind).toBe("finished");
    expect((await refusal(client.resume(completed))).kind).toBe("finished");
    expect((await refusal(client.resume(newId("nobody")))).kind).toBe("notFound");
  });

  it("answers a rewind with the extension's checks, and a failed instance as not supported", async () => {
    const failed = newId("failed");
    const completed = newId("done");
    const running = newId("busy");
    await arrange(failed, "Failed");
    await arrange(completed, "Completed");
    await arrange(running, "Running");
    expect((await refusal(client.rewind(failed))).kind).toBe("notSupported");
    expect((await refusal(client.rewind(completed))).kind).toBe("finished");
    expect((await refusal(client.rewind(running))).kind).toBe("invalidState");
    expect((await refusal(client.rewind(newId("nobody")))).kind).toBe("notFound");
  });
});

describe("TaskHubClient.restart", () => {
  it("starts the same orchestrator with the same input under a new id by default", async () => {
    const instanceId = newId("restart");
    await arrange(instanceId, "Completed", { name: "Approval", input: '{"a":1}' });
    const restarted = await client.restart(instanceId);
    expect(restarted).toMatch(/^[0-9a-f]{32}$/);
    expect(await hub.storage.getInstance(restarted)).toMatchObject({ name: "Approval", input: '{"a":1}', runtimeStatus: "Pending" });
    expect((await hub.storage.getInstance(instanceId))?.runtimeStatus).toBe("Completed");
    await takeControlMessages(hub.storage, restarted);
  });

  it("restarts under the same id when asked, and refuses that while the instance runs", async () => {
    const instanceId = newId("same");
    await arrange(instanceId, "Failed");
    expect(await client.restart(instanceId, false)).toBe(instanceId);
    expect((await hub.storage.getInstance(instanceId))?.runtimeStatus).toBe("Pending");
    expect((await refusal(client.restart(instanceId, false))).kind).toBe("alreadyExists");
    expect(await takeControlMessages(hub.storage, instanceId)).toHaveLength(1);
  });

  it("refuses an unknown instance with the extension's message", async () => {
    const instanceId = newId("ghost");
    expect(await refusal(client.restart(instanceId))).toEqual({
      kind: "badArgument",
      message: `An orchestrastion with the instanceId ${instanceId} was not found.`,
    });
  });
});

describe("TaskHubClient purges", () => {
  it("purges one instance whatever its status, and counts 0 for an unknown one", async () => {
    const instanceId = newId("purge");
    await arrange(instanceId, "Running");
    expect(await client.purgeInstance(instanceId)).toBe(1);
    expect(await hub.storage.getInstance(instanceId)).toBeUndefined();
    expect(await client.purgeInstance(instanceId)).toBe(0);
  });

  it("purges by creation time and finished status; unfinished statuses alone select every status", async () => {
    const at = (minute: number): string => `2040-03-04T05:${String(minute).padStart(2, "0")}:00.000Z`;
    const ids = {
      completed: newId("p-completed"),
      failed: newId("p-failed"),
      running: newId("p-running"),
      early: newId("p-early"),
    };
    await arrange(ids.completed, "Completed", { createdTime: at(10) });
    await arrange(ids.failed, "Failed", { createdTime: at(11) });
    await arrange(ids.running, "Running", { createdTime: at(12) });
    await arrange(ids.early, "Completed", { createdTime: at(1) });

    const range = { createdTimeFrom: at(5), createdTimeTo: at(20) };
    expect(await client.purgeInstances({ ...range, runtimeStatus: ["Completed"] })).toBe(1);
    expect(await hub.storage.getInstance(ids.completed)).toBeUndefined();
    expect(await client.purgeInstances({ ...range, runtimeStatus: ["Completed"] })).toBe(0);

    // "Running" is dropped from the filter, which leaves none: the whole range goes, as on Azure Storage.
    expect(await client.purgeInstances({ ...range, runtimeStatus: ["Running"] })).toBe(2);
    expect(await hub.storage.getInstance(ids.running)).toBeUndefined();
    expect(await hub.storage.getInstance(ids.early)).toBeDefined();
  });

  it("purges up to the clock's now when no end is given", async () => {
    const past = newId("p-past");
    const future = newId("p-future");
    await arrange(past, "Completed", { createdTime: "2031-05-06T07:00:00.000Z" });
    await arrange(future, "Completed", { createdTime: "2031-05-06T08:00:00.000Z" });
    expect(await client.purgeInstances({ createdTimeFrom: "2031-05-06T06:59:00.000Z", runtimeStatus: ["Completed"] })).toBe(1);
    expect(await hub.storage.getInstance(past)).toBeUndefined();
    expect(await hub.storage.getInstance(future)).toBeDefined();
  });
});

describe("TaskHubClient status, history and listings", () => {
  it("reads the row, and the current execution's committed history", async () => {
    const instanceId = newId("history");
    const instance = await arrange(instanceId, "Running");
    const events: HistoryEvent[] = [
      { EventType: EventType.OrchestratorStarted, EventId: 0, IsPlayed: false, Timestamp: "2031-01-01T00:00:00.000Z" },
      { EventType: EventType.ExecutionStarted, EventId: 1, IsPlayed: false, Timestamp: "2031-01-01T00:00:00.000Z", Name: "HelloSequence", Input: '"Tokyo"' },
    ];
    await hub.storage.commitEpisode(
      instanceId,
      events.map((event) => ({ event })),
      { executionId: instance.executionId, eventCount: events.length, carriedMessageIds: [], outbox: [], instance },
    );
    expect(await client.getStatus(instanceId)).toEqual(instance);
    expect(await client.getHistory(instance)).toEqual(events);
    expect(await client.getHistory({ ...instance, executionId: "another" })).toEqual([]);
    expect(await client.getStatus(newId("nobody"))).toBeUndefined();
  });

  it("lists instances through the storage's query", async () => {
    const prefix = newId("list");
    await Promise.all([arrange(`${prefix}-a`, "Running"), arrange(`${prefix}-b`, "Completed"), arrange(`${prefix}-c`, "Completed")]);
    const page = await client.listInstances({ instanceIdPrefix: prefix, runtimeStatus: ["Completed"] });
    expect(page.items.map((instance) => instance.instanceId).sort()).toEqual([`${prefix}-b`, `${prefix}-c`]);
  });
});

describe("TaskHubClient entities", () => {
  const entity = entityBuilder({ state: "1", lastModifiedTime: "2031-05-06T07:00:00.000Z" });

  it("signals an entity by its lower-cased instance id", async () => {
    const key = newId("key");
    await client.signalEntity("Counter", key, "add", "5");
    await client.signalEntity("counter", key, "reset");
    expect(await takeControlMessages(hub.storage, `@counter@${key}`)).toEqual([
      { kind: "entity", id: ANY_STRING, instanceId: `@counter@${key}`, operation: "add", input: "5", isSignal: true },
      { kind: "entity", id: ANY_STRING, instanceId: `@counter@${key}`, operation: "reset", isSignal: true },
    ]);
  });

  it("refuses unknown entities, empty names and keys the URLs could not carry", async () => {
    expect(await refusal(client.signalEntity("Nope", "k", "add"))).toEqual({
      kind: "badArgument",
      message:
        "The function 'nope' doesn't exist, is disabled, or is not an entity function. Additional info: " +
        "The following are the known entity functions: 'Counter'.",
    });
    expect((await refusal(client.signalEntity("", "k", "add"))).message).toContain("entity name must not be a null or empty string");
    expect((await refusal(client.signalEntity("Counter", "a/b", "add"))).message).toContain("Entity keys must not contain");
  });

  it("reads an entity only while it exists", async () => {
    const key = newId("read");
    expect(await client.readEntity("Counter", key)).toBeUndefined();
    await hub.storage.writeEntity(entity("counter", key, { state: "42" }));
    expect((await client.readEntity("COUNTER", key))?.state).toBe("42");
    const deleted = newId("deleted");
    await hub.storage.writeEntity(entity("counter", deleted, { exists: false, state: undefined }));
    expect(await client.readEntity("Counter", deleted)).toBeUndefined();
  });

  it("lists existing entities of a name, a page at a time, up to now", async () => {
    const name = `tally${Date.now().toString(36)}`;
    await Promise.all([
      hub.storage.writeEntity(entity(name, "a")),
      hub.storage.writeEntity(entity(name, "b", { exists: false, state: undefined })),
      hub.storage.writeEntity(entity(name, "c")),
      hub.storage.writeEntity(entity(name, "d")),
      hub.storage.writeEntity(entity(name, "later", { lastModifiedTime: "2031-05-06T09:00:00.000Z" })),
    ]);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.listEntities({ name: name.toUpperCase(), top: 2, ...(continuationToken === undefined ? {} : { continuationToken }) });
      keys.push(...page.items.map((item) => item.key));
      continuationToken = page.continuationToken;
      pages++;
    } while (continuationToken !== undefined);
    expect(keys.sort()).toEqual(["a", "c", "d"]);
    expect(pages).toBeGreaterThan(1);
  });
});
