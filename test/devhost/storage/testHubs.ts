import { afterEach, inject } from "vitest";
import { TableClient } from "@azure/data-tables";
import { QueueServiceClient } from "@azure/storage-queue";
import { BlobServiceClient } from "@azure/storage-blob";
import type { HistoryEvent } from "../../../devhost/protocol/historyEvents.js";
import { LargePayloads } from "../../../devhost/storage/LargePayloads.js";
import type { Checkpoint, InstanceRecord } from "../../../devhost/storage/records.js";
import { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";

/**
 * Task hubs for the storage tests, each test with hubs of its own on the shared Azurite, deleted
 * after it; raw clients to look behind the storage's back; and record builders. Call at the top
 * level of a test file.
 */
export function useTestHubs() {
  const connectionString = inject("azuriteConnectionString");
  const created: TaskHubStorage[] = [];
  let sequence = 0;
  afterEach(async () => {
    await Promise.all(created.splice(0).map((storage) => storage.deleteTaskHub()));
  });

  const uniqueName = (): string => `T${Date.now().toString(36)}${process.pid.toString(36)}x${(++sequence).toString(36)}`;

  return {
    connectionString,
    uniqueName,

    /** A task hub that exists, deleted after the test. */
    async create(partitionCount = 4): Promise<TaskHubStorage> {
      const storage = new TaskHubStorage({ connectionString, taskHubName: uniqueName(), partitionCount });
      created.push(storage);
      await storage.createIfNotExists();
      return storage;
    },

    /** A storage that is deleted after the test, without creating anything. */
    track(storage: TaskHubStorage): TaskHubStorage {
      created.push(storage);
      return storage;
    },

    table(name: string): TableClient {
      return TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
    },

    queue(name: string) {
      return QueueServiceClient.fromConnectionString(connectionString).getQueueClient(name);
    },

    /** The names of the blobs in the hub's container, of one instance or all. */
    async blobs(storage: TaskHubStorage, instanceId?: string): Promise<string[]> {
      const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(storage.names.largeMessagesContainer);
      const names: string[] = [];
      const prefix = instanceId === undefined ? undefined : `${LargePayloads.folderOf(instanceId)}/`;
      for await (const blob of container.listBlobsFlat(prefix === undefined ? {} : { prefix })) names.push(blob.name);
      return names;
    },

    /** The rows of one partition of a table of the hub, as stored. */
    async rows(tableName: string, partitionKey: string): Promise<Record<string, unknown>[]> {
      const rows: Record<string, unknown>[] = [];
      const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
      for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey.replaceAll("'", "''")}'` } })) rows.push(row);
      return rows;
    },
  };
}

export const T0 = "2030-01-02T03:04:05.678Z";

export function instanceRecord(instanceId: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId,
    name: "Orchestrator",
    executionId: "exec-1",
    runtimeStatus: "Running",
    input: '{"a":1}',
    createdTime: T0,
    lastUpdatedTime: T0,
    ...overrides,
  };
}

export function historyEvent(eventId: number, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: 5, EventId: eventId, IsPlayed: false, Timestamp: T0, TaskScheduledId: eventId, Result: `"r${eventId}"`, ...fields };
}

export function checkpointOf(instance: InstanceRecord, eventCount: number, overrides: Partial<Checkpoint> = {}): Checkpoint {
  return { executionId: instance.executionId, eventCount, carriedMessageIds: [], outbox: [], instance, ...overrides };
}

/** Text that is large (over 45 KiB in UTF-8 and UTF-16) and not plain ASCII. */
export const largeText = (seed: string, length = 30_000): string => JSON.stringify(`${seed} é日😀`.repeat(Math.ceil(length / (seed.length + 5))));
