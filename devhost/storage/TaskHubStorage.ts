import type { TableClient } from "@azure/data-tables";
import type { QueueClient } from "@azure/storage-queue";
import type { ControlMessage, TimerRecord, WorkItemMessage } from "../protocol/messages.js";
import { EntityTable } from "./EntityTable.js";
import { HistoryTable } from "./HistoryTable.js";
import { InstanceTable } from "./InstanceTable.js";
import { LargePayloads } from "./LargePayloads.js";
import type {
  Checkpoint,
  EntityQuery,
  EntityRecord,
  InstanceQuery,
  InstanceRecord,
  OrchestrationState,
  Page,
  ReceivedMessage,
  StoredHistoryEvent,
} from "./records.js";
import { RowBlobs } from "./RowBlobs.js";
import { RowTexts } from "./RowTexts.js";
import { storageClients } from "./storageClients.js";
import { TaskHubQueues, type MessageSentListener } from "./TaskHubQueues.js";
import { taskHubNames } from "./taskHubNames.js";
import { TimerTable } from "./TimerTable.js";

export interface TaskHubStorageOptions {
  /** An Azure Storage connection string ("UseDevelopmentStorage=true" for Azurite). */
  connectionString: string;
  /** The task hub's name, from host.json's extensions.durableTask.hubName. */
  taskHubName: string;
  /** Number of control queues (host.json partitionCount, default 4). */
  partitionCount: number;
}

/**
 * The task hub in Azure Storage: instance, history, entity and timer tables, control and work-item
 * queues, and a blob container for payloads too large for a row or a message.
 *
 * Keys: instance ids are escaped with tableKeys (a prefix of an id gives a prefix of its key); each
 * row also holds the id itself. Text columns too large for a table property are stored in a blob
 * named in a sibling column `${column}Blob`. Queue messages are JSON text.
 *
 * This class is the one the engine, the client and the HTTP API hold: it owns the storage clients,
 * creates and deletes the hub, purges an instance across tables, and hands everything else to the
 * part that stores it (InstanceTable, HistoryTable, EntityTable, TimerTable, TaskHubQueues).
 */
export class TaskHubStorage {
  readonly names: ReturnType<typeof taskHubNames>;
  private readonly tables: readonly TableClient[];
  private readonly queues: readonly QueueClient[];
  private readonly payloads: LargePayloads;
  /** The checkpoint and entity blobs this process knows of, forgotten with the hub. */
  private readonly rowBlobs: readonly RowBlobs[];
  private readonly instanceTable: InstanceTable;
  private readonly historyTable: HistoryTable;
  private readonly entityTable: EntityTable;
  private readonly timerTable: TimerTable;
  private readonly taskHubQueues: TaskHubQueues;
  private readonly deletedListeners: ((instanceId: string | undefined) => void)[] = [];

  constructor(readonly options: TaskHubStorageOptions) {
    this.names = taskHubNames(options.taskHubName, options.partitionCount);
    const clients = storageClients(options.connectionString);
    const instances = clients.table(this.names.instancesTable);
    const history = clients.table(this.names.historyTable);
    const entities = clients.table(this.names.entitiesTable);
    const timers = clients.table(this.names.timersTable);
    const controlQueues = this.names.controlQueues.map((name) => clients.queue(name));
    const workItemQueue = clients.queue(this.names.workItemQueue);
    this.tables = [instances, history, entities, timers];
    this.queues = [...controlQueues, workItemQueue];
    this.payloads = new LargePayloads(clients.container(this.names.largeMessagesContainer));
    const checkpointBlobs = new RowBlobs(this.payloads);
    const entityBlobs = new RowBlobs(this.payloads);
    this.rowBlobs = [checkpointBlobs, entityBlobs];
    const texts = new RowTexts(this.payloads);
    this.instanceTable = new InstanceTable(instances, texts);
    this.historyTable = new HistoryTable(history, this.payloads, texts, checkpointBlobs);
    this.entityTable = new EntityTable(entities, this.payloads, texts, entityBlobs);
    this.timerTable = new TimerTable(timers, this.payloads, texts);
    this.taskHubQueues = new TaskHubQueues(controlQueues, workItemQueue, this.payloads, options.taskHubName);
  }

  async createIfNotExists(): Promise<void> {
    // Each call tolerates "already exists", also when another process creates the same resource at the same time.
    await Promise.all([
      ...this.tables.map((table) => table.createTable()),
      ...this.queues.map((queue) => queue.createIfNotExists()),
      this.payloads.container.createIfNotExists(),
    ]);
  }

  async deleteTaskHub(): Promise<void> {
    await Promise.all([
      ...this.tables.map((table) => table.deleteTable()),
      ...this.queues.map((queue) => queue.deleteIfExists()),
      this.payloads.container.deleteIfExists(),
    ]);
    for (const blobs of this.rowBlobs) blobs.clear();
    this.notifyDeleted(undefined);
  }

  /** Told of every purged orchestration and deleted entity (with its instance id) and of the task hub's deletion (without): what anyone kept of them is gone. */
  onInstanceDeleted(listener: (instanceId: string | undefined) => void): void {
    this.deletedListeners.push(listener);
  }

  private notifyDeleted(instanceId: string | undefined): void {
    for (const listener of this.deletedListeners) listener(instanceId);
  }

  // ---- Instances ----

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.instanceTable.get(instanceId);
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    await this.instanceTable.put(record);
  }

  async queryInstances(query: InstanceQuery): Promise<Page<InstanceRecord>> {
    return this.instanceTable.query(query);
  }

  /** Deletes the instance row, its history and its blobs; false when there was none of either row. */
  async purgeInstance(instanceId: string): Promise<boolean> {
    const historyRowKeys = await this.historyTable.rowKeys(instanceId);
    const [instanceDeleted] = await Promise.all([this.instanceTable.delete(instanceId), this.historyTable.deleteRows(instanceId, historyRowKeys)]);
    await this.payloads.deleteFolder(instanceId);
    this.historyTable.forgetCheckpointBlobs(instanceId);
    this.notifyDeleted(instanceId);
    return instanceDeleted || historyRowKeys.length > 0;
  }

  // ---- History ----

  async readOrchestration(instanceId: string): Promise<OrchestrationState> {
    return this.historyTable.read(instanceId);
  }

  async commitEpisode(instanceId: string, newEvents: StoredHistoryEvent[], checkpoint: Checkpoint): Promise<void> {
    await this.historyTable.commitEpisode(instanceId, newEvents, checkpoint);
  }

  async deleteOtherExecutions(instanceId: string, keepExecutionId: string): Promise<void> {
    await this.historyTable.deleteOtherExecutions(instanceId, keepExecutionId);
  }

  // ---- Entities ----

  async readEntity(instanceId: string): Promise<EntityRecord | undefined> {
    return this.entityTable.read(instanceId);
  }

  /** Optimistic: false when another writer won; on success the record's etag is the new version's (see EntityTable.write). */
  async writeEntity(record: EntityRecord): Promise<boolean> {
    return this.entityTable.write(record);
  }

  async queryEntities(query: EntityQuery): Promise<Page<EntityRecord>> {
    return this.entityTable.query(query);
  }

  async deleteEntity(instanceId: string): Promise<boolean> {
    const deleted = await this.entityTable.delete(instanceId);
    this.notifyDeleted(instanceId);
    return deleted;
  }

  // ---- Timers ----

  async addTimer(timer: TimerRecord): Promise<void> {
    await this.timerTable.add(timer);
  }

  /** Timers with fireAt ≤ now, earliest first, at most max. */
  async dueTimers(now: Date, max: number): Promise<TimerRecord[]> {
    return this.timerTable.due(now, max);
  }

  async deleteTimer(timer: TimerRecord): Promise<void> {
    await this.timerTable.delete(timer);
  }

  // ---- Queues ----

  /** The control queue partition of an instance, the same in every process. */
  partitionOf(instanceId: string): number {
    return this.taskHubQueues.partitionOf(instanceId);
  }

  async sendControl(message: ControlMessage, visibilityDelaySeconds?: number): Promise<void> {
    await this.taskHubQueues.sendControl(message, visibilityDelaySeconds);
  }

  async receiveControl(partition: number, max: number, leaseSeconds: number): Promise<ReceivedMessage<ControlMessage>[]> {
    return this.taskHubQueues.receiveControl(partition, max, leaseSeconds);
  }

  /** Several work items in as few queue messages as fit; the items of one share its lease (see TaskHubQueues.sendWorkItems). */
  async sendWorkItems(messages: readonly WorkItemMessage[]): Promise<void> {
    await this.taskHubQueues.sendWorkItems(messages);
  }

  async receiveWorkItems(max: number, leaseSeconds: number): Promise<ReceivedMessage<WorkItemMessage>[]> {
    return this.taskHubQueues.receiveWorkItems(max, leaseSeconds);
  }

  async renewLease<T extends ControlMessage | WorkItemMessage>(received: ReceivedMessage<T>, leaseSeconds: number): Promise<ReceivedMessage<T>> {
    return this.taskHubQueues.renewLease(received, leaseSeconds);
  }

  async deleteMessage(received: ReceivedMessage<ControlMessage | WorkItemMessage>): Promise<void> {
    await this.taskHubQueues.deleteMessage(received);
  }

  /** Called after every successful send from this process, so that a poller can look at once. Listeners must not throw. */
  onMessageSent(listener: MessageSentListener): void {
    this.taskHubQueues.onMessageSent(listener);
  }
}
