import { afterAll, beforeAll, inject } from "vitest";
import type { Clock } from "../../devhost/clock/Clock.js";
import { TaskHubClient } from "../../devhost/client/TaskHubClient.js";
import type { ControlMessage } from "../../devhost/protocol/messages.js";
import type { RuntimeStatus } from "../../devhost/protocol/runtimeStatus.js";
import type { EntityRecord, InstanceRecord } from "../../devhost/storage/records.js";
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

let uniqueIds = 0;

/** An instance id or entity key no other test has used: the tests of a file share its task hub. */
export const newId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++uniqueIds}`;

/** The client of an app whose functions are the orchestrators HelloSequence and Approval and the entity Counter. */
export function taskHubClient(storage: TaskHubStorage, clock: Clock): TaskHubClient {
  return new TaskHubClient({
    storage,
    clock,
    orchestratorNames: () => new Set(["HelloSequence", "Approval"]),
    entityNames: () => new Set(["Counter"]),
  });
}

/** What a file's arranged instances hold unless a test says otherwise; its assertions rely on them. */
type InstanceDefaults = Pick<InstanceRecord, "input" | "createdTime" | "lastUpdatedTime">;

type ArrangeInstance = (instanceId: string, runtimeStatus: RuntimeStatus, init?: Partial<InstanceRecord>) => Promise<InstanceRecord>;

/**
 * An arrange(instanceId, runtimeStatus, init) that puts a HelloSequence instance row straight into
 * the hub, as an engine would have left it: no engine runs in these tests, so this is how an
 * instance comes to be in any state.
 */
export function instanceArranger(hub: { readonly storage: TaskHubStorage }, defaults: InstanceDefaults): ArrangeInstance {
  return async (instanceId, runtimeStatus, init = {}) => {
    const record: InstanceRecord = { instanceId, name: "HelloSequence", executionId: `exec-${instanceId}`, runtimeStatus, ...defaults, ...init };
    await hub.storage.putInstance(record);
    return record;
  };
}

/** What a file's entity records hold unless a test says otherwise; its assertions rely on them. */
type EntityDefaults = Pick<EntityRecord, "state" | "lastModifiedTime">;

/** Builds existing entities' records, with no messages processed or pending, for a test to write. */
export function entityBuilder(defaults: EntityDefaults): (name: string, key: string, init?: Partial<EntityRecord>) => EntityRecord {
  return (name, key, init = {}) => ({ instanceId: `@${name}@${key}`, name, key, exists: true, processedMessageIds: [], outbox: [], ...defaults, ...init });
}
