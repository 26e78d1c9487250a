import { describe, expect, it } from "vitest";
import type { ActivityRunner } from "../../../devhost/activities/ActivityRunner.js";
import { HiddenMessages } from "../../../devhost/engine/HiddenMessages.js";
import { WorkItemDispatcher } from "../../../devhost/engine/WorkItemDispatcher.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import type { ControlMessage, OrchestrationMessage, WorkItemMessage } from "../../../devhost/protocol/messages.js";
import type { ReceivedMessage } from "../../../devhost/storage/records.js";
import { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { pollUntil } from "../../e2e/support/poll.js";
import { useTestHubs } from "../storage/testHubs.js";
import { RecordingLogger } from "../support/RecordingLogger.js";

/**
 * The work-item dispatcher over a real queue (Azurite) holding a fan-out's items in one queue
 * message: the message is deleted once, after every result is sent; a result that cannot be sent
 * gives the whole message back, and every item runs again, so that no result is lost.
 */

const hubs = useTestHubs();

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A task hub (one partition) that records the results sent and the work-item messages deleted, and can fail chosen result sends once. */
class WatchedTaskHub extends TaskHubStorage {
  /** Ids of results whose next send fails. */
  readonly failNextSendOf = new Set<string>();
  readonly sentResults: string[] = [];
  readonly deletedWorkItems: string[] = [];

  override async sendControl(message: ControlMessage, visibilityDelaySeconds?: number): Promise<void> {
    if (this.failNextSendOf.delete(message.id)) throw new Error("The control queue is unreachable.");
    await super.sendControl(message, visibilityDelaySeconds);
    this.sentResults.push(message.id);
  }

  override async deleteMessage(received: ReceivedMessage<ControlMessage | WorkItemMessage>): Promise<void> {
    await super.deleteMessage(received);
    if (received.queueName === this.names.workItemQueue) this.deletedWorkItems.push(received.messageId);
  }
}

/** Stands in for the activity runner: each activity takes a few milliseconds and returns its input; counts runs and how many ran at once. */
class CountingActivities {
  readonly runs: string[] = [];
  peak = 0;
  private running = 0;

  async run(item: WorkItemMessage): Promise<OrchestrationMessage> {
    this.runs.push(item.id);
    this.peak = Math.max(this.peak, ++this.running);
    await sleep(10);
    this.running -= 1;
    const event = { EventType: EventType.TaskCompleted, TaskScheduledId: item.taskScheduledId, Result: item.input ?? "null" };
    return { kind: "orchestration", id: resultId(item), instanceId: item.instanceId, executionId: item.executionId, event };
  }

  timesRun(id: string): number {
    return this.runs.filter((run) => run === id).length;
  }
}

const resultId = (item: WorkItemMessage): string => `result-${item.id}`;

const fanOut = (count: number): WorkItemMessage[] =>
  Array.from({ length: count }, (_, index) => ({
    kind: "activity",
    id: `item-${index}`,
    instanceId: "fan/1",
    executionId: "e1",
    taskScheduledId: index,
    name: "Echo",
    input: String(index),
  }));

async function watchedHub(): Promise<WatchedTaskHub> {
  const storage = new WatchedTaskHub({ connectionString: hubs.connectionString, taskHubName: hubs.uniqueName(), partitionCount: 1 });
  await hubs.track(storage).createIfNotExists();
  return storage;
}

/** Runs a dispatcher over the hub until `done` holds, then stops it (which waits for its work). */
async function dispatchUntil(storage: WatchedTaskHub, activities: CountingActivities, maxConcurrentActivities: number, what: string, done: () => boolean) {
  const logger = new RecordingLogger();
  const dispatcher = new WorkItemDispatcher(storage, activities as unknown as ActivityRunner, logger, new HiddenMessages(), {
    leaseSeconds: 30,
    maxPollingIntervalMs: 50,
    maxConcurrentActivities,
  });
  dispatcher.start();
  try {
    await pollUntil(what, () => Promise.resolve(done()), Boolean, { timeoutMs: 10_000, intervalMs: 20 });
  } finally {
    await dispatcher.stop();
  }
  return logger;
}

/** The ids of everything in the control queue. */
async function controlQueueIds(storage: TaskHubStorage): Promise<string[]> {
  const ids: string[] = [];
  for (let batch = await storage.receiveControl(0, 32, 30); batch.length > 0; batch = await storage.receiveControl(0, 32, 30)) {
    ids.push(...batch.map((received) => received.message.id));
  }
  return ids.sort();
}

/** The one queue message the items were sent in. */
async function sendAsOneMessage(storage: TaskHubStorage, items: readonly WorkItemMessage[]): Promise<void> {
  await storage.sendWorkItems(items);
  expect((await hubs.queue(storage.names.workItemQueue).getProperties()).approximateMessagesCount).toBe(1);
}

describe("a queue message carrying several work items", () => {
  it("runs each item once and deletes the message exactly once, after every result was sent", async () => {
    const storage = await watchedHub();
    const items = fanOut(12);
    await sendAsOneMessage(storage, items);
    const activities = new CountingActivities();
    await dispatchUntil(storage, activities, 4, "the message to be deleted", () => storage.deletedWorkItems.length > 0);
    // Stopped: nothing else can happen now; give a stray second delete the chance to show up anyway.
    await sleep(200);

    expect(storage.deletedWorkItems).toHaveLength(1);
    expect(activities.runs.sort()).toEqual(items.map((item) => item.id).sort());
    expect(storage.sentResults.sort()).toEqual(items.map(resultId).sort());
    expect(await controlQueueIds(storage)).toEqual(items.map(resultId).sort());
    expect(await storage.receiveWorkItems(32, 30)).toEqual([]);
  });

  it("gives the message back when one result cannot be sent: every item runs again, and every result arrives", async () => {
    const storage = await watchedHub();
    const items = fanOut(12);
    await sendAsOneMessage(storage, items);
    const unlucky = items[5];
    if (unlucky === undefined) throw new Error("unreachable");
    storage.failNextSendOf.add(resultId(unlucky));
    const activities = new CountingActivities();
    const logger = await dispatchUntil(storage, activities, 4, "the message to be deleted", () => storage.deletedWorkItems.length > 0);

    // The first delivery's results went out except the unlucky one; the message came back after
    // its one-second hiding and all twelve ran again (at least once: the queue decides).
    for (const item of items) expect(activities.timesRun(item.id), item.id).toBe(2);
    expect(storage.sentResults.filter((id) => id === resultId(unlucky))).toHaveLength(1);
    expect(new Set(storage.sentResults)).toEqual(new Set(items.map(resultId)));
    expect(storage.deletedWorkItems).toHaveLength(1);
    expect(logger.lines.filter((line) => line.level === "error").map((line) => line.message)).toEqual([
      expect.stringContaining("will be retried: Error: The control queue is unreachable.") as string,
    ]);
    // Nothing lost: every result is in the control queue (the redelivery's copies too, which the orchestration drops).
    expect(new Set(await controlQueueIds(storage))).toEqual(new Set(items.map(resultId)));
    expect(await storage.receiveWorkItems(32, 30)).toEqual([]);
  });

  it("never runs more activities at once than maxConcurrentActivities, however many items a message holds", async () => {
    const storage = await watchedHub();
    const items = fanOut(40);
    await storage.sendWorkItems(items.slice(0, 25));
    await storage.sendWorkItems(items.slice(25));
    expect((await hubs.queue(storage.names.workItemQueue).getProperties()).approximateMessagesCount).toBe(2);
    const activities = new CountingActivities();
    await dispatchUntil(storage, activities, 3, "both messages to be deleted", () => storage.deletedWorkItems.length === 2);

    expect(activities.peak).toBe(3);
    expect(activities.runs.sort()).toEqual(items.map((item) => item.id).sort());
    expect(new Set(storage.deletedWorkItems).size).toBe(2);
  });
});
