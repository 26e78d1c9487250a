import { afterAll, beforeAll, inject } from "vitest";
import type { ControlMessage } from "../../devhost/protocol/messages.js";
import { TaskHubStorage } from "../../devhost/storage/TaskHubStorage.js";

/**
 * A task hub of its own on the shared Azurite for one test file, created before the file's tests
 * and deleted after them. The returned object is usable once beforeAll has run.
 */
export function useTaskHub(prefix: string): { readonly storage: TaskHubStorage } {
  let created: TaskHubStorage | undefined;
  beforeAll(async () => {
    created = new TaskHubStorage({
      connectionString: inject("azuriteConnectionString"),
      taskHubName: `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
      partitionCount: 4,
    });
    await created.createIfNotExists();
  });
  afterAll(async () => {
    await created?.deleteTaskHub();
  });
  return {
    get storage(): TaskHubStorage {
      if (created === undefined) throw new Error("The task hub is created in beforeAll.");
      return created;
    },
  };
}

/** Messages taken from the queues for other instances than the one asked about, kept for when they are asked about. */
const taken = new WeakMap<TaskHubStorage, ControlMessage[]>();

/**
 * Takes the control messages sent to an instance, oldest first: drains its partition (receiving
 * and deleting everything there), keeps what belongs to other instances for later calls, and
 * returns this instance's. No engine runs in these tests, so whatever a client operation sent is
 * still there.
 */
export async function takeControlMessages(storage: TaskHubStorage, instanceId: string): Promise<ControlMessage[]> {
  const kept = taken.get(storage) ?? [];
  taken.set(storage, kept);
  for (;;) {
    const received = await storage.receiveControl(storage.partitionOf(instanceId), 32, 30);
    if (received.length === 0) break;
    await Promise.all(received.map((message) => storage.deleteMessage(message)));
    kept.push(...received.map((message) => message.message));
  }
  const mine = kept.filter((message) => message.instanceId === instanceId);
  taken.set(
    storage,
    kept.filter((message) => message.instanceId !== instanceId),
  );
  return mine;
}
