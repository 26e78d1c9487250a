import { describe, expect, it } from "vitest";
import type { OrchestrationMessage, TimerRecord } from "../../../devhost/protocol/messages.js";
import type { EntityRecord } from "../../../devhost/storage/records.js";
import { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { T0, largeText, useTestHubs } from "./testHubs.js";

/** Entities (optimistic concurrency, queries) and durable timers against a real Azurite. */

const hubs = useTestHubs();

function entity(name: string, key: string, overrides: Partial<EntityRecord> = {}): EntityRecord {
  return {
    instanceId: `@${name.toLowerCase()}@${key}`,
    name,
    key,
    exists: true,
    state: '{"value":1}',
    processedMessageIds: ["m1", "m2"],
    outbox: [{ to: "control", message: { kind: "entity", id: "s1", instanceId: "@other@k", operation: "add", input: "1", isSignal: true } }],
    lastModifiedTime: T0,
    ...overrides,
  };
}

function withoutEtag(record: EntityRecord): EntityRecord {
  const copy = { ...record };
  delete copy.etag;
  return copy;
}

describe("entities", () => {
  it("inserts when there is no etag, reads back with an etag, and replaces only the version read", async () => {
    const storage = await hubs.create();
    const first = entity("Counter", "a/b#c");
    expect(await storage.writeEntity({ ...first })).toBe(true);

    const read = await storage.readEntity(first.instanceId);
    expect(read).toEqual({ ...first, etag: expect.any(String) as string });
    if (read === undefined) throw new Error("unreachable");

    // A second insert of the same entity loses.
    expect(await storage.writeEntity(entity("Counter", "a/b#c", { state: '"other"' }))).toBe(false);

    const next = { ...read, state: '{"value":2}', processedMessageIds: ["m3"] };
    expect(await storage.writeEntity(next)).toBe(true);
    expect(next.etag).not.toBe(read.etag);
    // The write left the record holding the new version's etag: it can be written again.
    expect(await storage.writeEntity({ ...next, state: '{"value":3}' })).toBe(true);

    // The etag first read is stale now.
    expect(await storage.writeEntity({ ...read, state: '"stale"' })).toBe(false);
    expect((await storage.readEntity(first.instanceId))?.state).toBe('{"value":3}');
  });

  it("lets exactly one of two writers with the same etag win", async () => {
    const storage = await hubs.create();
    await storage.writeEntity(entity("race", "k"));
    const read = await storage.readEntity("@race@k");
    if (read === undefined) throw new Error("not written");
    const results = await Promise.all([1, 2, 3].map((value) => storage.writeEntity({ ...read, state: String(value) })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("refuses to replace an entity deleted since it was read, and deletes once", async () => {
    const storage = await hubs.create();
    await storage.writeEntity(entity("gone", "k"));
    const read = await storage.readEntity("@gone@k");
    if (read === undefined) throw new Error("not written");
    expect(await storage.deleteEntity("@gone@k")).toBe(true);
    expect(await storage.deleteEntity("@gone@k")).toBe(false);
    expect(await storage.readEntity("@gone@k")).toBeUndefined();
    expect(await storage.writeEntity(read)).toBe(false);
  });

  it("keeps state over 45 KB in a blob, replaces the blob with each version, and deletes it with the entity", async () => {
    const storage = await hubs.create();
    const id = "@big@k";
    const first = entity("big", "k", { state: largeText("one"), processedMessageIds: Array.from({ length: 3000 }, (_, index) => `message-${index}`) });
    expect(await storage.writeEntity(first)).toBe(true);
    expect(withoutEtag((await storage.readEntity(id)) ?? first)).toEqual(withoutEtag(first));
    expect(await hubs.blobs(storage, id)).toHaveLength(2);

    const second = { ...first, state: largeText("two"), processedMessageIds: ["m"] };
    expect(await storage.writeEntity(second)).toBe(true);
    expect((await storage.readEntity(id))?.state).toBe(second.state);
    expect(await hubs.blobs(storage, id)).toHaveLength(1);

    // A losing write leaves no blob behind.
    expect(await storage.writeEntity({ ...first, state: largeText("loser") })).toBe(false);
    expect(await hubs.blobs(storage, id)).toHaveLength(1);

    // Another process that read the old version still reads the current one.
    const other = new TaskHubStorage(storage.options);
    expect((await other.queryEntities({ name: "big" })).items.map((record) => record.state)).toEqual([second.state]);

    expect(await storage.deleteEntity(id)).toBe(true);
    expect(await hubs.blobs(storage, id)).toEqual([]);
  });

  it("queries by name in any case, by last-modified time, and pages with a continuation token", async () => {
    const storage = await hubs.create();
    const records = [
      ...Array.from({ length: 12 }, (_, index) => entity("Counter", `k${String(index).padStart(2, "0")}`, { lastModifiedTime: `2030-01-0${1 + (index % 3)}T00:00:00.000Z` })),
      entity("counterX", "k"),
      entity("Count", "k"),
      entity("other", "k"),
    ];
    for (const record of records) expect(await storage.writeEntity(record)).toBe(true);
    const names = (page: { items: EntityRecord[] }): string[] => page.items.map((record) => record.instanceId);

    const counters = records.filter((record) => record.name === "Counter").map((record) => record.instanceId);
    expect(names(await storage.queryEntities({ name: "COUNTER" }))).toEqual(counters);
    expect(names(await storage.queryEntities({ name: "count" }))).toEqual(["@count@k"]);

    const firstPage = await storage.queryEntities({ name: "counter", top: 5 });
    expect(names(firstPage)).toEqual(counters.slice(0, 5));
    expect(firstPage.continuationToken).toBeDefined();
    const rest = await storage.queryEntities({ name: "counter", ...(firstPage.continuationToken !== undefined && { continuationToken: firstPage.continuationToken }) });
    expect(names(rest)).toEqual(counters.slice(5));
    expect(rest.continuationToken).toBeUndefined();

    const onTheSecond = await storage.queryEntities({ name: "Counter", lastModifiedFrom: "2030-01-02T00:00:00Z", lastModifiedTo: "2030-01-02T23:59:59Z" });
    expect(names(onTheSecond)).toEqual(["@counter@k01", "@counter@k04", "@counter@k07", "@counter@k10"]);

    expect(names(await storage.queryEntities({}))).toHaveLength(records.length);
    expect((await storage.queryEntities({ name: "Counter" })).items[0]).toEqual({ ...records[0], etag: expect.any(String) as string });
  });
});

function timer(fireAt: string, id: string, instanceId = "inst"): TimerRecord {
  const message: OrchestrationMessage = {
    kind: "orchestration",
    id,
    instanceId,
    executionId: "e1",
    event: { EventType: 11, TimerId: 0, FireAt: fireAt },
  };
  return { fireAt, message };
}

describe("timers", () => {
  it("lists due timers earliest first, up to max", async () => {
    const storage = await hubs.create();
    const late = timer("2030-01-01T00:00:03.000Z", "t/late");
    const early = timer("2030-01-01T00:00:01.000Z", "t#early");
    const middle = timer("2030-01-01T00:00:02.000Z", "t?middle");
    const sameTime = timer("2030-01-01T00:00:02.000Z", "t?middle2");
    const future = timer("2031-01-01T00:00:00.000Z", "future");
    for (const record of [late, future, middle, early, sameTime]) await storage.addTimer(record);

    expect(await storage.dueTimers(new Date("2030-01-01T00:00:00.999Z"), 10)).toEqual([]);
    // A timer due exactly now is due.
    expect(await storage.dueTimers(new Date("2030-01-01T00:00:02.000Z"), 10)).toEqual([early, middle, sameTime]);
    expect(await storage.dueTimers(new Date("2030-06-01T00:00:00.000Z"), 2)).toEqual([early, middle]);
    expect(await storage.dueTimers(new Date(8.64e15), 10)).toEqual([early, middle, sameTime, late, future]);
  });

  it("adds the same timer once, and deletes it (twice without error)", async () => {
    const storage = await hubs.create();
    const record = timer("2030-01-01T00:00:00.000Z", "once");
    await storage.addTimer(record);
    await storage.addTimer(record);
    expect(await storage.dueTimers(new Date("2030-01-02T00:00:00.000Z"), 10)).toEqual([record]);
    await storage.deleteTimer(record);
    await storage.deleteTimer(record);
    expect(await storage.dueTimers(new Date("2030-01-02T00:00:00.000Z"), 10)).toEqual([]);
  });

  it("keeps a timer message over 45 KB in a blob and deletes the blob with the timer", async () => {
    const storage = await hubs.create();
    const record = timer("2030-01-01T00:00:00.000Z", "big");
    record.message.event.Input = largeText("timer");
    await storage.addTimer(record);
    expect(await storage.dueTimers(new Date("2030-01-02T00:00:00.000Z"), 10)).toEqual([record]);
    expect(await hubs.blobs(storage, "inst")).toHaveLength(1);
    await storage.deleteTimer(record);
    expect(await hubs.blobs(storage, "inst")).toEqual([]);
  });
});
