import { afterEach, describe, expect, it, vi } from "vitest";
import { TableClient, type TransactionAction } from "@azure/data-tables";
import { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { tableKeys } from "../../../devhost/storage/tableKeys.js";
import type { StoredHistoryEvent } from "../../../devhost/storage/records.js";
import { T0, checkpointOf, historyEvent, instanceRecord, largeText, useTestHubs } from "./testHubs.js";

/** The task hub's tables and blobs against a real Azurite: instances, history and purging. */

const hubs = useTestHubs();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Ids that Azure Table keys cannot hold as they are, and some that tempt a naive escape. */
const AWKWARD_IDS = [
  "a/b",
  "a\\b",
  "a#b",
  "a?b",
  "a%b",
  "%2F",
  "~",
  "~!",
  "~2F",
  "'quoted'",
  " spaced out ",
  "ctrl\u0000\u0001\n\t\u001f\u007f\u0085\u009f",
  "日本語/😀",
  "lone\ud800surrogate\udc00",
  "\ufffe\uffff",
  "x".repeat(300),
  "/\\#?%".repeat(60),
  `${"日".repeat(299)}/`,
];

const stored = (events: readonly ReturnType<typeof historyEvent>[], messageIds = false): StoredHistoryEvent[] =>
  events.map((event) => (messageIds ? { event, messageId: `m-${event.EventId}` } : { event }));

describe("task hub lifecycle", () => {
  it("names tables, queues and the container after the hub, and creates and deletes them all", async () => {
    const storage = hubs.track(new TaskHubStorage({ connectionString: hubs.connectionString, taskHubName: "MyHub" + hubs.uniqueName(), partitionCount: 3 }));
    const hub = storage.options.taskHubName;
    expect(storage.names).toEqual({
      instancesTable: `${hub}Instances`,
      historyTable: `${hub}History`,
      entitiesTable: `${hub}Entities`,
      timersTable: `${hub}Timers`,
      controlQueues: [0, 1, 2].map((index) => `${hub.toLowerCase()}-control-0${index}`),
      workItemQueue: `${hub.toLowerCase()}-workitems`,
      largeMessagesContainer: `${hub.toLowerCase()}-largemessages`,
    });

    // Twice at once and once more: "already exists" is no error.
    await Promise.all([storage.createIfNotExists(), new TaskHubStorage(storage.options).createIfNotExists()]);
    await storage.createIfNotExists();
    for (const table of [storage.names.instancesTable, storage.names.historyTable, storage.names.entitiesTable, storage.names.timersTable]) {
      await expect(hubs.table(table).listEntities().next()).resolves.toMatchObject({ done: true });
    }
    for (const queue of [...storage.names.controlQueues, storage.names.workItemQueue]) expect(await hubs.queue(queue).exists()).toBe(true);
    expect(await hubs.blobs(storage)).toEqual([]);

    await storage.deleteTaskHub();
    for (const queue of [...storage.names.controlQueues, storage.names.workItemQueue]) expect(await hubs.queue(queue).exists()).toBe(false);
    await expect(hubs.table(storage.names.instancesTable).listEntities().next()).rejects.toMatchObject({ statusCode: 404 });
    await storage.deleteTaskHub();
  });

  it.each(["ab", "1abc", "my-hub", "hub_name", "Hub With Space", "h".repeat(46), ""])("refuses the hub name %j with a clear error", (taskHubName) => {
    expect(() => new TaskHubStorage({ connectionString: hubs.connectionString, taskHubName, partitionCount: 4 })).toThrow(/Invalid task hub name.*3 to 45 letters and digits/);
  });

  it("accepts 3 and 45 characters, and refuses partition counts outside 1 to 16", () => {
    for (const taskHubName of ["abc", `a${"1".repeat(44)}`]) {
      expect(() => new TaskHubStorage({ connectionString: hubs.connectionString, taskHubName, partitionCount: 4 })).not.toThrow();
    }
    for (const partitionCount of [0, 17, 2.5]) {
      expect(() => new TaskHubStorage({ connectionString: hubs.connectionString, taskHubName: "abc", partitionCount })).toThrow(RangeError);
    }
  });

  it("accepts UseDevelopmentStorage=true", () => {
    const storage = new TaskHubStorage({ connectionString: "UseDevelopmentStorage=true", taskHubName: "DevHub", partitionCount: 4 });
    expect(storage.names.controlQueues).toHaveLength(4);
  });
});

describe("instances", () => {
  it("round-trips every field, replaces on put, and answers undefined for an unknown id", async () => {
    const storage = await hubs.create();
    const full = instanceRecord("i1", {
      runtimeStatus: "Completed",
      output: '{"done":true}',
      customStatus: '"step 3"',
      completedTime: "2030-01-02T03:04:09.000Z",
      parentInstanceId: "parent/1",
    });
    await storage.putInstance(full);
    expect(await storage.getInstance("i1")).toEqual(full);

    const replaced = instanceRecord("i1", { runtimeStatus: "Running", executionId: "exec-2", input: undefined });
    await storage.putInstance(replaced);
    const read = await storage.getInstance("i1");
    expect(read).toEqual(replaced);
    expect(read).not.toHaveProperty("output");
    expect(read).not.toHaveProperty("input");

    expect(await storage.getInstance("nobody")).toBeUndefined();
  });

  it("stores times as toISOString text and refuses a time that is not one", async () => {
    const storage = await hubs.create();
    await storage.putInstance(instanceRecord("t", { createdTime: "2030-01-02T03:04:05Z" }));
    expect((await storage.getInstance("t"))?.createdTime).toBe("2030-01-02T03:04:05.000Z");
    await expect(storage.putInstance(instanceRecord("t", { lastUpdatedTime: "yesterday" }))).rejects.toThrow(RangeError);
  });

  it("round-trips awkward ids, each found by itself as a prefix", async () => {
    const storage = await hubs.create();
    await Promise.all(AWKWARD_IDS.map((id) => storage.putInstance(instanceRecord(id, { name: `n${AWKWARD_IDS.indexOf(id)}` }))));
    for (const id of AWKWARD_IDS) {
      expect(await storage.getInstance(id), JSON.stringify(id)).toEqual(instanceRecord(id, { name: `n${AWKWARD_IDS.indexOf(id)}` }));
      const page = await storage.queryInstances({ instanceIdPrefix: id });
      expect(page.items.map((item) => item.instanceId).filter((found) => found !== id), JSON.stringify(id)).toEqual(
        AWKWARD_IDS.filter((other) => other !== id && other.startsWith(id)),
      );
    }
    const all = await storage.queryInstances({});
    expect(all.items.map((item) => item.instanceId).sort()).toEqual([...AWKWARD_IDS].sort());
  });

  it("finds exactly the ids with a prefix, including unicode and control characters and prefixes past the hashed part of long ids", async () => {
    const storage = await hubs.create();
    const long = "L".repeat(500);
    const ids = ["pre", "pre/", "pre/a", "pre/b", "pre\u0000x", "prf", "pr", "Pre/a", "日本", "日本/1", "日本/2", "日朰", `${long}1a`, `${long}1b`, `${long}2`, long];
    await Promise.all(ids.map((id) => storage.putInstance(instanceRecord(id))));
    const withPrefix = async (instanceIdPrefix: string): Promise<string[]> =>
      (await storage.queryInstances({ instanceIdPrefix })).items.map((item) => item.instanceId).sort();

    expect(await withPrefix("pre")).toEqual(["pre", "pre/", "pre/a", "pre/b", "pre\u0000x"].sort());
    expect(await withPrefix("pre/")).toEqual(["pre/", "pre/a", "pre/b"]);
    expect(await withPrefix("pre\u0000")).toEqual(["pre\u0000x"]);
    expect(await withPrefix("日本")).toEqual(["日本", "日本/1", "日本/2"]);
    expect(await withPrefix("日本/")).toEqual(["日本/1", "日本/2"]);
    expect(await withPrefix(`${long}1`)).toEqual([`${long}1a`, `${long}1b`]);
    expect(await withPrefix("L".repeat(300))).toEqual([long, `${long}1a`, `${long}1b`, `${long}2`].sort());
    expect(await withPrefix("nothing")).toEqual([]);
  });

  it("filters by runtime status and created time, and pages 25 instances by 10 with a continuation token", async () => {
    const storage = await hubs.create();
    const base = Date.parse(T0);
    const records = Array.from({ length: 25 }, (_, index) =>
      instanceRecord(`inst-${String(index).padStart(2, "0")}`, {
        runtimeStatus: index % 3 === 0 ? "Completed" : index % 3 === 1 ? "Failed" : "Running",
        createdTime: new Date(base + index * 60_000).toISOString(),
      }),
    );
    await Promise.all(records.map((record) => storage.putInstance(record)));

    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await storage.queryInstances({ top: 10, ...(continuationToken !== undefined && { continuationToken }) });
      pages.push(page.items.map((item) => item.instanceId));
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(records.map((record) => record.instanceId));

    const finished = await storage.queryInstances({ runtimeStatus: ["Completed", "Failed"] });
    expect(finished.items.map((item) => item.instanceId)).toEqual(records.filter((record) => record.runtimeStatus !== "Running").map((record) => record.instanceId));
    expect(finished.continuationToken).toBeUndefined();

    const window = await storage.queryInstances({
      createdTimeFrom: new Date(base + 5 * 60_000).toISOString(),
      createdTimeTo: new Date(base + 9 * 60_000).toISOString(),
      runtimeStatus: ["Running"],
    });
    expect(window.items.map((item) => item.instanceId)).toEqual(["inst-05", "inst-08"]);

    const open = await storage.queryInstances({ createdTimeFrom: "1900-01-01T00:00:00Z", createdTimeTo: new Date(8.64e15).toISOString() });
    expect(open.items).toHaveLength(25);

    await expect(storage.queryInstances({ continuationToken: "not a token" })).rejects.toThrow(/continuation token/);
    await expect(storage.queryInstances({ top: 0 })).rejects.toThrow(RangeError);
  });

  it("keeps an input, output and custom status over 45 KB in blobs of the instance, read back transparently", async () => {
    const storage = await hubs.create();
    const record = instanceRecord("big/1", { input: largeText("input"), output: largeText("output"), customStatus: largeText("status") });
    await storage.putInstance(record);
    expect(await storage.getInstance("big/1")).toEqual(record);
    expect((await storage.queryInstances({ instanceIdPrefix: "big/" })).items).toEqual([record]);

    const [row] = await hubs.rows(storage.names.instancesTable, tableKeys.key("big/1"));
    expect(row).not.toHaveProperty("Input");
    expect(row).toHaveProperty("InputBlob");
    expect(await hubs.blobs(storage, "big/1")).toHaveLength(3);

    // Writing the same values again reuses their blobs.
    await storage.putInstance({ ...record, lastUpdatedTime: "2030-01-03T00:00:00.000Z" });
    expect(await hubs.blobs(storage, "big/1")).toHaveLength(3);
  });

  it("round-trips a large value holding a lone surrogate", async () => {
    const storage = await hubs.create();
    const record = instanceRecord("surrogate", { input: `"${"\ud83d".repeat(30_000)}"` });
    await storage.putInstance(record);
    expect(await storage.getInstance("surrogate")).toEqual(record);
  });
});

describe("history", () => {
  it("commits episodes and reads back the checkpoint and the current execution's events in order, with message ids", async () => {
    const storage = await hubs.create();
    const instance = instanceRecord("h/1");
    const first = stored([historyEvent(0, { EventType: 12 }), historyEvent(1, { EventType: 0, Name: "Orchestrator", Input: '{"a":1}' }), historyEvent(2)], true);
    await storage.commitEpisode("h/1", first, checkpointOf(instance, 3, { carriedMessageIds: ["m-x"] }));
    expect(await storage.readOrchestration("h/1")).toEqual({ checkpoint: checkpointOf(instance, 3, { carriedMessageIds: ["m-x"] }), events: first });

    const second = stored([historyEvent(3), historyEvent(4, { Input: "ü\u0000\ufffe" })]);
    const outbox = [{ to: "workItems" as const, message: { kind: "activity" as const, id: "w1", instanceId: "h/1", executionId: "exec-1", taskScheduledId: 0, name: "Act" } }];
    await storage.commitEpisode("h/1", second, checkpointOf(instance, 5, { outbox }));
    const state = await storage.readOrchestration("h/1");
    expect(state.checkpoint).toEqual(checkpointOf(instance, 5, { outbox }));
    expect(state.events).toEqual([...first, ...second]);
  });

  it("reads an instance without history as no checkpoint and no events", async () => {
    const storage = await hubs.create();
    expect(await storage.readOrchestration("never")).toEqual({ events: [] });
  });

  it("refuses more new events than the checkpoint's eventCount has room for", async () => {
    const storage = await hubs.create();
    const three = stored([historyEvent(0), historyEvent(1), historyEvent(2)]);
    await expect(storage.commitEpisode("h", three, checkpointOf(instanceRecord("h"), 2))).rejects.toThrow(RangeError);
    expect(await storage.readOrchestration("h")).toEqual({ events: [] });
  });

  it("keys events by their position, whatever their EventId (the SDK wants task sequence numbers there)", async () => {
    const storage = await hubs.create();
    const events = stored([historyEvent(7), historyEvent(-1), historyEvent(2)]);
    await storage.commitEpisode("h", events, checkpointOf(instanceRecord("h"), 3));
    expect((await storage.readOrchestration("h")).events.map(({ event }) => event.EventId)).toEqual([7, -1, 2]);
  });

  it("commits an episode of 250 events in three transactions, the checkpoint in the last", async () => {
    const storage = await hubs.create();
    const submit = vi.spyOn(TableClient.prototype, "submitTransaction");
    const events = stored(Array.from({ length: 250 }, (_, index) => historyEvent(index)));
    await storage.commitEpisode("many", events, checkpointOf(instanceRecord("many"), 250));
    expect(submit.mock.calls.map(([actions]) => actions.length)).toEqual([100, 100, 51]);
    const last = submit.mock.calls[2]?.[0];
    expect(last?.[last.length - 1]?.[1]).toMatchObject({ rowKey: "checkpoint" });
    expect((await storage.readOrchestration("many")).events).toEqual(events);
  });

  it("commits an episode of one small event as a single transaction", async () => {
    const storage = await hubs.create();
    const submit = vi.spyOn(TableClient.prototype, "submitTransaction");
    await storage.commitEpisode("one", stored([historyEvent(0)]), checkpointOf(instanceRecord("one"), 1));
    expect(submit).toHaveBeenCalledTimes(1);
  });

  it("splits batches by size too: 80 events of 60 KB (UTF-8) would pass 4 MB in one transaction", async () => {
    const storage = await hubs.create();
    const submit = vi.spyOn(TableClient.prototype, "submitTransaction");
    const events = stored(Array.from({ length: 80 }, (_, index) => historyEvent(index, { Result: JSON.stringify("日".repeat(20_000)) })));
    await storage.commitEpisode("sized", events, checkpointOf(instanceRecord("sized"), 80));
    expect(submit.mock.calls.length).toBeGreaterThan(1);
    expect((await storage.readOrchestration("sized")).events).toEqual(events);
  });

  it("ignores what an interrupted commit left, and lets the commit run again win", async () => {
    const storage = await hubs.create();
    const instance = instanceRecord("crash/1");
    const committed = stored(Array.from({ length: 5 }, (_, index) => historyEvent(index)));
    await storage.commitEpisode("crash/1", committed, checkpointOf(instance, 5));

    // The crash: every transaction with events goes through, the one with the checkpoint does not.
    // Called below with the spied-on client as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = TableClient.prototype.submitTransaction;
    vi.spyOn(TableClient.prototype, "submitTransaction").mockImplementation(function (this: TableClient, actions: TransactionAction[]) {
      if (actions.some(([, entity]) => entity.rowKey === "checkpoint")) return Promise.reject(new Error("crash"));
      return original.call(this, actions);
    });
    const lost = stored(Array.from({ length: 150 }, (_, index) => historyEvent(index + 5, { Result: '"lost"' })));
    await expect(storage.commitEpisode("crash/1", lost, checkpointOf(instance, 155))).rejects.toThrow("crash");
    vi.restoreAllMocks();

    const leftovers = await hubs.rows(storage.names.historyTable, tableKeys.key("crash/1"));
    expect(leftovers.length).toBeGreaterThan(6);
    expect(await storage.readOrchestration("crash/1")).toEqual({ checkpoint: checkpointOf(instance, 5), events: committed });

    // Run again with other results (and fewer events): only what it commits is read.
    const rerun = stored(Array.from({ length: 120 }, (_, index) => historyEvent(index + 5, { Result: '"rerun"' })));
    await storage.commitEpisode("crash/1", rerun, checkpointOf(instance, 125));
    const state = await storage.readOrchestration("crash/1");
    expect(state.checkpoint?.eventCount).toBe(125);
    expect(state.events).toEqual([...committed, ...rerun]);
  });

  it("does not write the checkpoint when a transaction of events fails", async () => {
    const storage = await hubs.create();
    const instance = instanceRecord("fail/1");
    // Called below with the spied-on client as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = TableClient.prototype.submitTransaction;
    let calls = 0;
    vi.spyOn(TableClient.prototype, "submitTransaction").mockImplementation(async function (this: TableClient, actions: TransactionAction[]) {
      // The first batch fails, after a while: the checkpoint must wait for it.
      if (++calls === 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        throw new Error("lost");
      }
      return original.call(this, actions);
    });
    await expect(storage.commitEpisode("fail/1", stored(Array.from({ length: 150 }, (_, index) => historyEvent(index))), checkpointOf(instance, 150))).rejects.toThrow("lost");
    vi.restoreAllMocks();
    expect(await storage.readOrchestration("fail/1")).toEqual({ events: [] });
  });

  it("keeps events and a checkpoint over 45 KB in blobs, and deletes a checkpoint's blob once a newer one commits", async () => {
    const storage = await hubs.create();
    const big = instanceRecord("bigh", { input: largeText("in") });
    const events = stored([historyEvent(0, { Input: largeText("event") }), historyEvent(1)]);
    await storage.commitEpisode("bigh", events, checkpointOf(big, 2));
    expect(await storage.readOrchestration("bigh")).toEqual({ checkpoint: checkpointOf(big, 2), events });
    expect(await hubs.blobs(storage, "bigh")).toHaveLength(2);

    await storage.commitEpisode("bigh", stored([historyEvent(2)]), checkpointOf(big, 3));
    expect(await hubs.blobs(storage, "bigh")).toHaveLength(2);
    expect((await storage.readOrchestration("bigh")).checkpoint).toEqual(checkpointOf(big, 3));

    // A reader in another process, which never saw the old version, still finds the current one.
    const other = new TaskHubStorage(storage.options);
    await storage.commitEpisode("bigh", stored([historyEvent(3)]), checkpointOf(big, 4));
    expect((await other.readOrchestration("bigh")).checkpoint?.eventCount).toBe(4);

    await storage.commitEpisode("bigh", stored([historyEvent(4)]), checkpointOf(instanceRecord("bigh"), 5));
    expect(await hubs.blobs(storage, "bigh")).toHaveLength(1);
  });

  it("after ContinueAsNew reads only the new execution, and deleteOtherExecutions removes the old one's rows and blobs", async () => {
    const storage = await hubs.create();
    const first = instanceRecord("can", { executionId: "e1" });
    const firstEvents = stored([historyEvent(0), historyEvent(1, { Result: largeText("old") }), historyEvent(2)]);
    await storage.commitEpisode("can", firstEvents, checkpointOf(first, 3));
    const second = instanceRecord("can", { executionId: "e2" });
    const secondEvents = stored([historyEvent(0, { Name: "second" }), historyEvent(1, { Result: largeText("new") })]);
    await storage.commitEpisode("can", secondEvents, checkpointOf(second, 2));
    expect(await storage.readOrchestration("can")).toEqual({ checkpoint: checkpointOf(second, 2), events: secondEvents });
    expect(await hubs.blobs(storage, "can")).toHaveLength(2);

    await storage.deleteOtherExecutions("can", "e2");
    const rows = await hubs.rows(storage.names.historyTable, tableKeys.key("can"));
    expect(rows.map((row) => row.rowKey).sort()).toEqual(["checkpoint", "e2|0000000000", "e2|0000000001"]);
    expect(await hubs.blobs(storage, "can")).toHaveLength(1);
    expect(await storage.readOrchestration("can")).toEqual({ checkpoint: checkpointOf(second, 2), events: secondEvents });
  });

  it("keeps execution ids that look like row keys apart", async () => {
    const storage = await hubs.create();
    await storage.commitEpisode("x", stored([historyEvent(0, { Name: "tricky" })]), checkpointOf(instanceRecord("x", { executionId: "e|0000000001" }), 1));
    await storage.commitEpisode("x", stored([historyEvent(0), historyEvent(1)]), checkpointOf(instanceRecord("x", { executionId: "e" }), 2));
    expect((await storage.readOrchestration("x")).events.map(({ event }) => event.EventId)).toEqual([0, 1]);
    await storage.deleteOtherExecutions("x", "e");
    expect(await hubs.rows(storage.names.historyTable, "x")).toHaveLength(3);
  });
});

describe("purge", () => {
  it("removes the instance row, every history row and every blob, and reports whether there was anything", async () => {
    const storage = await hubs.create();
    const record = instanceRecord("p/1", { input: largeText("purged") });
    await storage.putInstance(record);
    await storage.commitEpisode("p/1", stored(Array.from({ length: 130 }, (_, index) => historyEvent(index, { Input: index === 7 ? largeText("e") : undefined }))), checkpointOf(record, 130));
    await storage.putInstance(instanceRecord("p/2"));
    expect(await hubs.blobs(storage, "p/1")).toHaveLength(3);

    expect(await storage.purgeInstance("p/1")).toBe(true);
    expect(await storage.getInstance("p/1")).toBeUndefined();
    expect(await storage.readOrchestration("p/1")).toEqual({ events: [] });
    expect(await hubs.rows(storage.names.historyTable, tableKeys.key("p/1"))).toEqual([]);
    expect(await hubs.blobs(storage)).toEqual([]);
    expect(await storage.purgeInstance("p/1")).toBe(false);
    expect(await storage.getInstance("p/2")).toEqual(instanceRecord("p/2"));
  });

  it("lets two purges of one instance run at once", async () => {
    const storage = await hubs.create();
    const record = instanceRecord("twice");
    await storage.putInstance(record);
    await storage.commitEpisode("twice", stored(Array.from({ length: 250 }, (_, index) => historyEvent(index))), checkpointOf(record, 250));
    const results = await Promise.all([storage.purgeInstance("twice"), storage.purgeInstance("twice")]);
    expect(results).toContain(true);
    expect(await hubs.rows(storage.names.historyTable, "twice")).toEqual([]);
  });

  it("purges an instance that has history but no row, and one that has a row but no history", async () => {
    const storage = await hubs.create();
    await storage.commitEpisode("history-only", stored([historyEvent(0)]), checkpointOf(instanceRecord("history-only"), 1));
    await storage.putInstance(instanceRecord("row-only"));
    expect(await storage.purgeInstance("history-only")).toBe(true);
    expect(await storage.purgeInstance("row-only")).toBe(true);
    expect(await storage.readOrchestration("history-only")).toEqual({ events: [] });
    expect(await storage.getInstance("row-only")).toBeUndefined();
  });
});
