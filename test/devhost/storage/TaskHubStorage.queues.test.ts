import { describe, expect, it } from "vitest";
import type { ControlMessage, OrchestrationMessage, WorkItemMessage } from "../../../devhost/protocol/messages.js";
import type { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { largeText, useTestHubs } from "./testHubs.js";

/** Control and work-item queues against a real Azurite: leases, redelivery, encoding, large bodies. */

const hubs = useTestHubs();

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

function raised(instanceId: string, id: string, input = '"x"'): OrchestrationMessage {
  return { kind: "orchestration", id, instanceId, event: { EventType: 15, Name: "approval", Input: input } };
}

function activity(id: string, input?: string): WorkItemMessage {
  return { kind: "activity", id, instanceId: "i/1", executionId: "e1", taskScheduledId: 3, name: "SayHello", ...(input !== undefined && { input }) };
}

/** Receives from the instance's partition until `count` messages arrived or a second passed. */
async function receiveAll(storage: TaskHubStorage, instanceId: string, count: number, leaseSeconds = 30) {
  const partition = storage.partitionOf(instanceId);
  const received = [];
  for (const deadline = Date.now() + 1000; received.length < count && Date.now() < deadline; ) {
    received.push(...(await storage.receiveControl(partition, 32, leaseSeconds)));
  }
  return received;
}

describe("partitions", () => {
  it("maps an id to the same partition every time, in range, spreading ids over all partitions", async () => {
    const storage = await hubs.create(4);
    const partitions = Array.from({ length: 200 }, (_, index) => storage.partitionOf(`instance-${index}`));
    expect(partitions.every((partition) => Number.isInteger(partition) && partition >= 0 && partition < 4)).toBe(true);
    expect(new Set(partitions).size).toBe(4);
    expect(Array.from({ length: 200 }, (_, index) => storage.partitionOf(`instance-${index}`))).toEqual(partitions);
    // FNV-1a, fixed: every process and version agrees.
    expect([storage.partitionOf(""), storage.partitionOf("a")]).toEqual([0x811c9dc5 % 4, 0xe40c292c % 4]);
  });
});

describe("control queues", () => {
  it("delivers a message to its instance's partition only, and tells listeners it was sent", async () => {
    const storage = await hubs.create(4);
    const sent: [string, number | undefined][] = [];
    storage.onMessageSent((queue, partition) => sent.push([queue, partition]));
    const message = raised("route/1", "m1");
    await storage.sendControl(message);
    const partition = storage.partitionOf("route/1");
    expect(sent).toEqual([["control", partition]]);

    for (let other = 0; other < 4; other++) {
      if (other !== partition) expect(await storage.receiveControl(other, 32, 30)).toEqual([]);
    }
    const [received, ...more] = await storage.receiveControl(partition, 32, 30);
    expect(more).toEqual([]);
    expect(received).toMatchObject({ message, queueName: storage.names.controlQueues[partition], dequeueCount: 1 });
    expect(received?.payloadBlobName).toBeUndefined();
  });

  it("round-trips any text in a message: unicode, control characters, lone surrogates, U+FFFE and U+FFFF, XML", async () => {
    const storage = await hubs.create();
    let everything = "";
    for (let code = 0; code < 0x10000; code += 7) everything += String.fromCharCode(code);
    const texts = ["\u0000\u0001\r\n\t", "\ud800 alone \udfff", "\ufffe\uffff", "<a>&amp;]]></a>", "日本語 😀", everything];
    const messages = texts.map((input, index) => raised("text", `m${index}`, JSON.stringify(input)));
    for (const message of messages) await storage.sendControl(message);
    const received = await receiveAll(storage, "text", messages.length);
    expect(received.map((item) => item.message).sort((a, b) => a.id.localeCompare(b.id))).toEqual(messages);
  });

  it("carries a message over 45 KB through a blob, deleted with the message", async () => {
    const storage = await hubs.create();
    const message = raised("big/1", "big", largeText("queue", 60_000));
    await storage.sendControl(message);
    expect(await hubs.blobs(storage, "big/1")).toHaveLength(1);
    const [received] = await receiveAll(storage, "big/1", 1);
    if (received === undefined) throw new Error("nothing received");
    expect(received.message).toEqual(message);
    expect(received.payloadBlobName).toBeDefined();
    await storage.deleteMessage(received);
    expect(await hubs.blobs(storage, "big/1")).toEqual([]);
  });

  it("skips and deletes messages that are not this hub's: not JSON, another shape, a blob that is gone", async () => {
    const storage = await hubs.create(1);
    const queue = hubs.queue(storage.names.controlQueues[0] ?? "");
    for (const body of ["not json", "{}", '{"kind":"orchestration","id":"x"}', "[1,2]", "null", '{"$payloadBlob":"nowhere/blob"}', '{"$payloadBlob":7}']) {
      await queue.sendMessage(body);
    }
    const valid = raised("ok", "valid");
    await storage.sendControl(valid);
    const received = await storage.receiveControl(0, 32, 1);
    expect(received.map((item) => item.message)).toEqual([valid]);
    // The invalid ones were deleted: only the valid one is left, and it comes back when its lease ends.
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
    await sleep(1500);
    expect((await storage.receiveControl(0, 32, 30)).map((item) => item.message)).toEqual([valid]);
  });

  it("hides a message while its lease is renewed, removes it when deleted, and redelivers it when the lease ends", async () => {
    const storage = await hubs.create(1);
    await storage.sendControl(raised("lease", "renewed"));
    await storage.sendControl(raised("lease", "expired"));
    const received = await storage.receiveControl(0, 32, 1);
    expect(received.map((item) => item.message.id).sort()).toEqual(["expired", "renewed"]);
    const renewedItem = received.find((item) => item.message.id === "renewed");
    if (renewedItem === undefined) throw new Error("unreachable");

    const renewed = await storage.renewLease(renewedItem, 3);
    expect(renewed.popReceipt).not.toBe(renewedItem.popReceipt);
    expect(renewed.message).toEqual(renewedItem.message);

    await sleep(1500);
    const redelivered = await storage.receiveControl(0, 32, 30);
    expect(redelivered.map((item) => [item.message.id, item.dequeueCount])).toEqual([["expired", 2]]);

    await storage.deleteMessage(renewed);
    await storage.deleteMessage(renewed);
    await storage.deleteMessage(redelivered[0] as (typeof redelivered)[number]);
    await sleep(2000);
    expect(await storage.receiveControl(0, 32, 30)).toEqual([]);
  });

  it("gives a message back at once when its lease is renewed for 0 seconds (a release)", async () => {
    const storage = await hubs.create(1);
    await storage.sendControl(raised("release", "given-back"));
    const [received] = await storage.receiveControl(0, 32, 30);
    if (received === undefined) throw new Error("the message was not received");

    await storage.renewLease(received, 0);

    const again = await storage.receiveControl(0, 32, 30);
    expect(again.map((item) => [item.message.id, item.dequeueCount])).toEqual([["given-back", 2]]);
    await expect(storage.renewLease(received, -1)).rejects.toThrow(RangeError);
  });

  it("delays a message by its visibility delay", async () => {
    const storage = await hubs.create(1);
    await storage.sendControl(raised("later", "delayed"), 1);
    expect(await storage.receiveControl(0, 32, 30)).toEqual([]);
    await sleep(1300);
    expect((await storage.receiveControl(0, 32, 30)).map((item) => item.message.id)).toEqual(["delayed"]);
  });

  it("refuses batch sizes and leases the queues do not support, and partitions that do not exist", async () => {
    const storage = await hubs.create(2);
    await expect(storage.receiveControl(0, 33, 30)).rejects.toThrow(RangeError);
    await expect(storage.receiveControl(0, 0, 30)).rejects.toThrow(RangeError);
    await expect(storage.receiveControl(0, 32, 0)).rejects.toThrow(RangeError);
    await expect(storage.receiveControl(2, 32, 30)).rejects.toThrow(RangeError);
  });

  it("round-trips an entity operation message", async () => {
    const storage = await hubs.create();
    const operation: ControlMessage = {
      kind: "entity",
      id: "op1",
      instanceId: "@counter@k",
      operation: "add",
      input: "5",
      isSignal: false,
      requestId: "r1",
      caller: { instanceId: "o/1", executionId: "e1" },
    };
    await storage.sendControl(operation);
    expect((await receiveAll(storage, "@counter@k", 1)).map((item) => item.message)).toEqual([operation]);
  });
});

describe("work items", () => {
  it("sends, receives (valid ones only), renews and deletes work items, and tells listeners", async () => {
    const storage = await hubs.create();
    const sent: [string, number | undefined][] = [];
    storage.onMessageSent((queue, partition) => sent.push([queue, partition]));
    const small = activity("w1", '"Tokyo"');
    const big = activity("w2", largeText("activity", 60_000));
    await storage.sendWorkItems([small]);
    await storage.sendWorkItems([big]);
    await hubs.queue(storage.names.workItemQueue).sendMessage(JSON.stringify({ kind: "activity", id: "no-name" }));
    expect(sent).toEqual([
      ["workItems", undefined],
      ["workItems", undefined],
    ]);

    const received = await storage.receiveWorkItems(32, 30);
    expect(received.map((item) => item.message).sort((a, b) => a.id.localeCompare(b.id))).toEqual([small, big]);
    for (const item of received) await storage.deleteMessage(await storage.renewLease(item, 30));
    expect(await hubs.blobs(storage)).toEqual([]);
    expect(await storage.receiveWorkItems(32, 1)).toEqual([]);
  });
});

describe("work items sent together (as few queue messages as fit)", () => {
  const LIMIT_BYTES = 45 * 1024;
  /** What the queue holds for an item: its JSON, U+FFFE and U+FFFF escaped (ASCII-only items here are their length in bytes). */
  const bodyLength = (item: WorkItemMessage): number => Buffer.byteLength(JSON.stringify(item), "utf8");
  /** An activity whose input is a JSON string of `length` characters, ids all of one width. */
  const sized = (index: number, length: number): WorkItemMessage => activity(`w${String(index).padStart(3, "0")}`, JSON.stringify("x".repeat(length)));
  const byId = (items: readonly WorkItemMessage[]): WorkItemMessage[] => [...items].sort((a, b) => a.id.localeCompare(b.id));

  /** Receives work items until `count` arrived or two seconds passed. */
  async function receiveItems(storage: TaskHubStorage, count: number, leaseSeconds = 30) {
    const received = [];
    for (const deadline = Date.now() + 2000; received.length < count && Date.now() < deadline; ) {
      received.push(...(await storage.receiveWorkItems(32, leaseSeconds)));
    }
    return received;
  }

  /** The number of items per queue message, by message, largest first. */
  function groupSizes(received: readonly { messageId: string }[]): number[] {
    const sizes = new Map<string, number>();
    for (const { messageId } of received) sizes.set(messageId, (sizes.get(messageId) ?? 0) + 1);
    return [...sizes.values()].sort((a, b) => b - a);
  }

  it("packs many items into as few queue messages as their size allows, each item received once and unchanged", async () => {
    const storage = await hubs.create();
    const items = Array.from({ length: 100 }, (_, index) => sized(index, 1000));
    const size = bodyLength(items[0] ?? activity("unreachable"));
    expect(items.every((item) => bodyLength(item) === size)).toBe(true);
    // {"$workItems":[a,b,...]}: 17 characters around, one comma between.
    const perMessage = Math.floor((LIMIT_BYTES - 17 + 1) / (size + 1));
    const expected = [perMessage, perMessage, items.length - 2 * perMessage];
    expect(expected[2]).toBeGreaterThan(0);
    expect(expected[2]).toBeLessThanOrEqual(perMessage);

    await storage.sendWorkItems(items);
    expect((await hubs.queue(storage.names.workItemQueue).getProperties()).approximateMessagesCount).toBe(3);
    const received = await receiveItems(storage, items.length);
    expect(byId(received.map((item) => item.message))).toEqual(items);
    expect(groupSizes(received)).toEqual(expected);
    expect(await hubs.blobs(storage)).toEqual([]);
  });

  it("sends one item alone as a plain message, and nothing for no items", async () => {
    const storage = await hubs.create();
    const queue = hubs.queue(storage.names.workItemQueue);
    await storage.sendWorkItems([]);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    const only = activity("alone", '"Tokyo"');
    await storage.sendWorkItems([only]);
    const [peeked, ...more] = (await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(more).toEqual([]);
    expect(JSON.parse(peeked?.messageText ?? "null")).toEqual(only);
    expect((await receiveItems(storage, 1)).map((item) => item.message)).toEqual([only]);
  });

  it("sends an item too large for a bundle alone (through a blob when over 45 KB), the others still bundled", async () => {
    const storage = await hubs.create();
    const big = activity("big", largeText("bundle", 60_000));
    // Fits a queue message by itself, but not inside {"$workItems":[...]}.
    const edge = sized(998, 0);
    const edgeInput = JSON.stringify("x".repeat(LIMIT_BYTES - 5 - bodyLength(edge)));
    const nearlyFull = { ...edge, input: edgeInput };
    expect(bodyLength(nearlyFull)).toBe(LIMIT_BYTES - 5);
    const smalls = Array.from({ length: 6 }, (_, index) => sized(index, 10));
    const items = [smalls[0], big, smalls[1], smalls[2], nearlyFull, smalls[3], smalls[4], smalls[5]].filter((item) => item !== undefined);

    await storage.sendWorkItems(items);
    expect(await hubs.blobs(storage)).toHaveLength(1);
    const received = await receiveItems(storage, items.length);
    expect(byId(received.map((item) => item.message))).toEqual(byId(items));
    expect(groupSizes(received)).toEqual([6, 1, 1]);
    const bigReceived = received.find((item) => item.message.id === "big");
    expect(bigReceived?.payloadBlobName).toBeDefined();
    expect(received.filter((item) => item.payloadBlobName !== undefined)).toHaveLength(1);
    for (const item of received) await storage.deleteMessage(item);
    expect(await hubs.blobs(storage)).toEqual([]);
  });

  it("carries any text in bundled items: control characters, lone surrogates, U+FFFE and U+FFFF, XML", async () => {
    const storage = await hubs.create();
    let controls = "";
    for (let code = 0; code < 0x20; code++) controls += String.fromCharCode(code);
    const texts = [controls, "\u007f\u0085\u2028\u2029", "\ud800 alone \udfff", "\ufffe\uffff", "x\ufffey\uffffz", "<a>&amp;]]></a>", "日本語 😀"];
    const items = texts.map((text, index) => ({ ...activity(`t${index}`, JSON.stringify(text)), name: `Name${text}` }));
    await storage.sendWorkItems(items);
    const received = await receiveItems(storage, items.length);
    expect(groupSizes(received)).toEqual([items.length]);
    expect(byId(received.map((item) => item.message))).toEqual(byId(items));
  });

  it("removes the whole bundle when its lease is completed, and gives every item back when it is released", async () => {
    const storage = await hubs.create();
    const items = Array.from({ length: 5 }, (_, index) => sized(index, 10));

    await storage.sendWorkItems(items);
    const first = await receiveItems(storage, items.length);
    expect(groupSizes(first)).toEqual([5]);
    const [lease] = first;
    if (lease === undefined) throw new Error("nothing received");
    // Released (visible again after a second): all five come back, in the same queue message.
    await storage.renewLease(lease, 1);
    expect(await storage.receiveWorkItems(32, 30)).toEqual([]);
    await sleep(1200);
    const again = await receiveItems(storage, items.length, 1);
    expect(byId(again.map((item) => item.message))).toEqual(items);
    expect(new Set(again.map((item) => [item.messageId, item.dequeueCount].join()))).toEqual(new Set([`${lease.messageId},2`]));

    // Completed with one item's lease (they share it): nothing is left, even once the lease would have run out.
    const [current] = again;
    if (current === undefined) throw new Error("nothing received");
    await storage.deleteMessage(current);
    await sleep(1500);
    expect(await storage.receiveWorkItems(32, 30)).toEqual([]);
    expect((await hubs.queue(storage.names.workItemQueue).getProperties()).approximateMessagesCount).toBe(0);
  });
});
