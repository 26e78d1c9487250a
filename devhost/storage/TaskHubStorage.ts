import { odata, type TableClient, type TableEntity, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import type { QueueClient } from "@azure/storage-queue";
import type { HistoryEvent } from "../protocol/historyEvents.js";
import type { ControlMessage, TimerRecord, WorkItemMessage } from "../protocol/messages.js";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";
import { hasStatus } from "./hasStatus.js";
import { LargePayloads } from "./LargePayloads.js";
import { messageShapes } from "./messageShapes.js";
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
import { storageClients } from "./storageClients.js";
import { tableKeys } from "./tableKeys.js";
import { taskHubNames } from "./taskHubNames.js";

export interface TaskHubStorageOptions {
  /** An Azure Storage connection string ("UseDevelopmentStorage=true" for Azurite). */
  connectionString: string;
  /** The task hub's name, from host.json's extensions.durableTask.hubName. */
  taskHubName: string;
  /** Number of control queues (host.json partitionCount, default 4). */
  partitionCount: number;
}

/** Entity-group transactions hold at most 100 operations and 4 MiB; the margin covers the multipart framing. */
const MAX_BATCH_OPERATIONS = 100;
const MAX_BATCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** Per operation in a batch: its headers and URL. */
const BATCH_OPERATION_OVERHEAD = 1024;
/** A UTF-16 code unit takes at most 6 bytes in a JSON body (`\u0001`), so length × 6 bounds a string's share. */
const MAX_JSON_BYTES_PER_CODE_UNIT = 6;
/** Azure Tables answer at most 1,000 rows per request. */
const MAX_PAGE_SIZE = 1000;
const EVENT_ID_DIGITS = 10;
const CHECKPOINT_ROW = "checkpoint";
const TIMERS_PARTITION = "timers";
/** Room a timer's row key leaves for its message id after `${fireAt ISO}|`. */
const TIMER_ID_KEY_LENGTH = 512 - 25;
/** A queue message body that stands for a blob is {"$payloadBlob": name}; no message has that field. */
const PAYLOAD_BLOB_FIELD = "$payloadBlob";
const MAX_RECEIVE_COUNT = 32;
const MAX_VISIBILITY_SECONDS = 7 * 24 * 60 * 60;
/** Reads retry when a blob named by a row is gone because a newer version of the row replaced it meanwhile. */
const READ_ATTEMPTS = 3;

type InstanceRow = {
  InstanceId: string;
  Name: string;
  ExecutionId: string;
  RuntimeStatus: RuntimeStatus;
  Input?: string;
  InputBlob?: string;
  Output?: string;
  OutputBlob?: string;
  CustomStatus?: string;
  CustomStatusBlob?: string;
  CreatedTime: string;
  LastUpdatedTime: string;
  CompletedTime?: string;
  ParentInstanceId?: string;
};

type HistoryRow = {
  Event?: string;
  EventBlob?: string;
  MessageId?: string;
  Checkpoint?: string;
  CheckpointBlob?: string;
};

type EntityRow = {
  InstanceId: string;
  Name: string;
  Key: string;
  Exists: boolean;
  State?: string;
  StateBlob?: string;
  ProcessedMessageIds?: string;
  ProcessedMessageIdsBlob?: string;
  Outbox?: string;
  OutboxBlob?: string;
  LastModifiedTime: string;
};

type TimerRow = { FireAt: string; Message?: string; MessageBlob?: string };

type Row = Readonly<Record<string, unknown>>;

/** A blob named by a row was deleted: the row has been replaced since it was read. */
class SupersededRowError extends Error {}

interface PlannedOperation {
  action: TransactionAction;
  bytes: number;
}

/** toISOString has a fixed width (and so sorts as text) for years 0 to 9999 only. */
const EARLIEST_TIME = Date.parse("0000-01-01T00:00:00.000Z");
const LATEST_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/** Times are stored as toISOString text, so that string order is time order in filters. */
function isoTime(value: string, what: string): string {
  const time = new Date(value).getTime();
  if (Number.isNaN(time) || time < EARLIEST_TIME || time > LATEST_TIME) throw new RangeError(`${what} is not a valid time from year 0 to 9999: "${value}".`);
  return new Date(time).toISOString();
}

/** A query bound as stored times compare: bounds past either end of the stored range are clamped to it. */
function isoBound(value: Date | string, what: string): string {
  const time = new Date(value).getTime();
  if (Number.isNaN(time)) throw new RangeError(`${what} is not a valid time: "${String(value)}".`);
  return new Date(Math.min(LATEST_TIME, Math.max(EARLIEST_TIME, time))).toISOString();
}

function checkContinuationToken(token: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("latin1"));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !("nextPartitionKey" in parsed) || typeof parsed.nextPartitionKey !== "string") {
    throw new RangeError("Invalid continuation token.");
  }
}

function checkCount(value: number, what: string, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${what} must be a whole number from 1 to ${max}, not ${value}.`);
}

/** Splits in order into batches within the transaction limits. */
function batches(operations: readonly PlannedOperation[]): TransactionAction[][] {
  const result: TransactionAction[][] = [];
  let current: TransactionAction[] = [];
  let bytes = 0;
  for (const operation of operations) {
    if (current.length > 0 && (current.length === MAX_BATCH_OPERATIONS || bytes + operation.bytes > MAX_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(operation.action);
    bytes += operation.bytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

const jsonBytes = (...texts: (string | undefined)[]): number =>
  texts.reduce((sum, text) => sum + (text?.length ?? 0) * MAX_JSON_BYTES_PER_CODE_UNIT, BATCH_OPERATION_OVERHEAD);

/**
 * The task hub in Azure Storage: instance, history, entity and timer tables, control and work-item
 * queues, and a blob container for payloads too large for a row or a message.
 *
 * Keys: instance ids are escaped with tableKeys (a prefix of an id gives a prefix of its key); each
 * row also holds the id itself. Text columns too large for a table property are stored in a blob
 * named in a sibling column `${column}Blob`. Queue messages are JSON text.
 */
export class TaskHubStorage {
  readonly names: ReturnType<typeof taskHubNames>;
  private readonly instances: TableClient;
  private readonly history: TableClient;
  private readonly entities: TableClient;
  private readonly timers: TableClient;
  private readonly controlQueues: QueueClient[];
  private readonly workItemQueue: QueueClient;
  private readonly queuesByName: ReadonlyMap<string, QueueClient>;
  private readonly payloads: LargePayloads;
  private readonly sentListeners: ((queue: "control" | "workItems", partition: number | undefined) => void)[] = [];
  /**
   * Blobs of rows that get new blob names per version (checkpoints, entities), as this process last
   * wrote or read them: the versions that a successful write supersedes, whose blobs it deletes.
   */
  private readonly rowBlobs = new Map<string, readonly string[]>();

  constructor(readonly options: TaskHubStorageOptions) {
    this.names = taskHubNames(options.taskHubName, options.partitionCount);
    const clients = storageClients(options.connectionString);
    this.instances = clients.table(this.names.instancesTable);
    this.history = clients.table(this.names.historyTable);
    this.entities = clients.table(this.names.entitiesTable);
    this.timers = clients.table(this.names.timersTable);
    this.controlQueues = this.names.controlQueues.map((name) => clients.queue(name));
    this.workItemQueue = clients.queue(this.names.workItemQueue);
    this.queuesByName = new Map([...this.controlQueues, this.workItemQueue].map((queue) => [queue.name, queue]));
    this.payloads = new LargePayloads(clients.container(this.names.largeMessagesContainer));
  }

  async createIfNotExists(): Promise<void> {
    // Each call tolerates "already exists", also when another process creates the same resource at the same time.
    await Promise.all([
      ...[this.instances, this.history, this.entities, this.timers].map((table) => table.createTable()),
      ...[...this.controlQueues, this.workItemQueue].map((queue) => queue.createIfNotExists()),
      this.payloads.container.createIfNotExists(),
    ]);
  }

  async deleteTaskHub(): Promise<void> {
    await Promise.all([
      ...[this.instances, this.history, this.entities, this.timers].map((table) => table.deleteTable()),
      ...[...this.controlQueues, this.workItemQueue].map((queue) => queue.deleteIfExists()),
      this.payloads.container.deleteIfExists(),
    ]);
    this.rowBlobs.clear();
  }

  // ---- Instances ----

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      return await this.instanceFromRow(await this.instances.getEntity<InstanceRow>(tableKeys.key(instanceId), ""));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    const partitionKey = tableKeys.key(record.instanceId);
    // Content-named blobs: writing the same input again reuses its blob, and a changed value leaves the
    // old blob to the purge (deleting it here could race a reader; instance rows are not versioned).
    const texts = await this.storeTexts({ Input: record.input, Output: record.output, CustomStatus: record.customStatus }, (column, text) =>
      LargePayloads.contentName(record.instanceId, "", column, text),
    );
    const row: TableEntity<Row> = {
      partitionKey,
      rowKey: "",
      InstanceId: record.instanceId,
      Name: record.name,
      ExecutionId: record.executionId,
      RuntimeStatus: record.runtimeStatus,
      CreatedTime: isoTime(record.createdTime, "createdTime"),
      LastUpdatedTime: isoTime(record.lastUpdatedTime, "lastUpdatedTime"),
      ...texts.columns,
      ...(record.completedTime !== undefined && { CompletedTime: isoTime(record.completedTime, "completedTime") }),
      ...(record.parentInstanceId !== undefined && { ParentInstanceId: record.parentInstanceId }),
    };
    await this.instances.upsertEntity(row, "Replace");
  }

  async queryInstances(query: InstanceQuery): Promise<Page<InstanceRecord>> {
    const filters: string[] = [];
    let keep: ((row: TableEntityResult<InstanceRow>) => boolean) | undefined;
    const prefix = query.instanceIdPrefix;
    if (prefix !== undefined && prefix !== "") {
      const range = tableKeys.prefixRange(prefix);
      filters.push(odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`);
      if (!range.exact) keep = (row) => row.InstanceId.startsWith(prefix);
    }
    if (query.runtimeStatus !== undefined && query.runtimeStatus.length > 0) {
      filters.push(`(${query.runtimeStatus.map((status) => odata`RuntimeStatus eq ${status}`).join(" or ")})`);
    }
    if (query.createdTimeFrom !== undefined) filters.push(odata`CreatedTime ge ${isoBound(query.createdTimeFrom, "createdTimeFrom")}`);
    if (query.createdTimeTo !== undefined) filters.push(odata`CreatedTime le ${isoBound(query.createdTimeTo, "createdTimeTo")}`);
    const page = await this.queryPage<InstanceRow>(this.instances, filters, query.top, query.continuationToken, keep);
    return { items: await Promise.all(page.rows.map((row) => this.instanceFromRow(row))), continuationToken: page.continuationToken };
  }

  async purgeInstance(instanceId: string): Promise<boolean> {
    const partitionKey = tableKeys.key(instanceId);
    const historyKeys: string[] = [];
    for await (const row of this.history.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey"] } })) {
      historyKeys.push(rowKeyOf(row));
    }
    const [instanceDeleted] = await Promise.all([
      this.deleteRow(this.instances, partitionKey, ""),
      this.deleteRows(this.history, partitionKey, historyKeys),
    ]);
    await this.payloads.deleteFolder(instanceId);
    this.rowBlobs.delete(this.checkpointBlobsKey(partitionKey));
    return instanceDeleted || historyKeys.length > 0;
  }

  // ---- History ----

  async readOrchestration(instanceId: string): Promise<OrchestrationState> {
    return this.retryWhileSuperseded(() => this.readOrchestrationOnce(instanceId));
  }

  async commitEpisode(instanceId: string, newEvents: StoredHistoryEvent[], checkpoint: Checkpoint): Promise<void> {
    const partitionKey = tableKeys.key(instanceId);
    const eventKeyPrefix = `${this.executionKey(checkpoint.executionId)}|`;
    const blobs: [name: string, text: string][] = [];
    // Rows are keyed by position, not EventId: the SDK wants some events' EventId to be a task's
    // sequence number (EventSent for entity calls), so EventIds are not positions.
    const firstPosition = checkpoint.eventCount - newEvents.length;
    if (!Number.isInteger(firstPosition) || firstPosition < 0) {
      throw new RangeError(`${newEvents.length} new events of "${instanceId}" do not fit the checkpoint's eventCount ${checkpoint.eventCount}.`);
    }
    const operations = newEvents.map(({ event, messageId }, index): PlannedOperation => {
      const rowKey = eventKeyPrefix + String(firstPosition + index).padStart(EVENT_ID_DIGITS, "0");
      const json = JSON.stringify(event);
      const row: TableEntity<HistoryRow> = { partitionKey, rowKey };
      if (LargePayloads.fitsTable(json)) {
        row.Event = json;
      } else {
        row.EventBlob = LargePayloads.contentName(instanceId, rowKey, "Event", json);
        blobs.push([row.EventBlob, json]);
      }
      if (messageId !== undefined) row.MessageId = messageId;
      return { action: ["upsert", row, "Replace"], bytes: jsonBytes(row.Event, messageId) };
    });
    const checkpointJson = JSON.stringify(checkpoint);
    const checkpointRow: TableEntity<HistoryRow> = { partitionKey, rowKey: CHECKPOINT_ROW };
    if (LargePayloads.fitsTable(checkpointJson)) {
      checkpointRow.Checkpoint = checkpointJson;
    } else {
      // A new name per version: the blob of the checkpoint in force stays intact until this one commits.
      checkpointRow.CheckpointBlob = LargePayloads.uniqueName(instanceId, "Checkpoint", checkpointJson);
      blobs.push([checkpointRow.CheckpointBlob, checkpointJson]);
    }
    await Promise.all(blobs.map(([name, text]) => this.payloads.upload(name, text)));

    // Upserts, so that a commit run again after a crash overwrites what the interrupted one left.
    // The checkpoint goes last, into the final batch: until it lands, readers ignore the new events,
    // so the earlier batches (events only) may land in any order.
    const planned = batches([...operations, { action: ["upsert", checkpointRow, "Replace"], bytes: jsonBytes(checkpointRow.Checkpoint) }]);
    const last = planned.pop() ?? [];
    await Promise.all(planned.map((batch) => this.history.submitTransaction(batch)));
    await this.history.submitTransaction(last);
    await this.replaceRowBlobs(this.checkpointBlobsKey(partitionKey), checkpointRow.CheckpointBlob === undefined ? [] : [checkpointRow.CheckpointBlob]);
  }

  async deleteOtherExecutions(instanceId: string, keepExecutionId: string): Promise<void> {
    const partitionKey = tableKeys.key(instanceId);
    const keepPrefix = `${this.executionKey(keepExecutionId)}|`;
    const doomed: { rowKey: string; blob?: string }[] = [];
    const rows = this.history.listEntities<Pick<HistoryRow, "EventBlob">>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey", "EventBlob"] },
    });
    for await (const row of rows) {
      const rowKey = rowKeyOf(row);
      if (rowKey === CHECKPOINT_ROW || this.isEventKeyOf(rowKey, keepPrefix)) continue;
      doomed.push({ rowKey, ...(row.EventBlob !== undefined && { blob: row.EventBlob }) });
    }
    await this.deleteRows(this.history, partitionKey, doomed.map((row) => row.rowKey));
    await this.payloads.delete(doomed.flatMap((row) => row.blob ?? []));
  }

  // ---- Entities ----

  async readEntity(instanceId: string): Promise<EntityRecord | undefined> {
    return this.retryWhileSuperseded(async () => {
      try {
        return await this.entityFromRow(await this.entities.getEntity<EntityRow>(tableKeys.key(instanceId), ""));
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    });
  }

  /**
   * Inserts the entity (no etag) or replaces the version read (etag). False when that lost to another
   * writer: the row exists already (409), changed (412) or was deleted (404). On success the record's
   * etag is set to the new version's, so that the record can be written again.
   */
  async writeEntity(record: EntityRecord): Promise<boolean> {
    const partitionKey = tableKeys.key(record.instanceId);
    const texts = await this.storeTexts(
      { State: record.state, ProcessedMessageIds: JSON.stringify(record.processedMessageIds), Outbox: JSON.stringify(record.outbox) },
      (column, text) => LargePayloads.uniqueName(record.instanceId, column, text),
    );
    const row: TableEntity<Row> = {
      partitionKey,
      rowKey: "",
      InstanceId: record.instanceId,
      Name: record.name,
      Key: record.key,
      Exists: record.exists,
      LastModifiedTime: isoTime(record.lastModifiedTime, "lastModifiedTime"),
      ...texts.columns,
    };
    let etag: string | undefined;
    try {
      const response = record.etag === undefined ? await this.entities.createEntity(row) : await this.entities.updateEntity(row, "Replace", { etag: record.etag });
      etag = response.etag;
    } catch (error) {
      if (!hasStatus(error, 404, 409, 412)) throw error;
      // The blobs are this attempt's own (new names), and the row that won does not name them.
      await this.payloads.delete(texts.blobs);
      return false;
    }
    await this.replaceRowBlobs(this.entityBlobsKey(partitionKey), texts.blobs);
    record.etag = etag;
    return true;
  }

  async queryEntities(query: EntityQuery): Promise<Page<EntityRecord>> {
    const filters: string[] = [];
    if (query.name !== undefined) {
      // Entity instance ids spell the name in lower case: "@name@key".
      const range = tableKeys.prefixRange(`@${query.name.toLowerCase()}@`);
      filters.push(odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`);
    }
    if (query.lastModifiedFrom !== undefined) filters.push(odata`LastModifiedTime ge ${isoBound(query.lastModifiedFrom, "lastModifiedFrom")}`);
    if (query.lastModifiedTo !== undefined) filters.push(odata`LastModifiedTime le ${isoBound(query.lastModifiedTo, "lastModifiedTo")}`);
    const prefix = query.name === undefined ? undefined : `@${query.name.toLowerCase()}@`;
    const keep = prefix === undefined ? undefined : (row: TableEntityResult<EntityRow>) => row.InstanceId.startsWith(prefix);
    const page = await this.queryPage<EntityRow>(this.entities, filters, query.top, query.continuationToken, keep);
    const records = await Promise.all(
      page.rows.map((row) =>
        this.entityFromRow(row).catch((error: unknown) => {
          // Replaced since the query read it: read the current version.
          if (error instanceof SupersededRowError) return this.readEntity(row.InstanceId);
          throw error;
        }),
      ),
    );
    return { items: records.filter((record) => record !== undefined), continuationToken: page.continuationToken };
  }

  async deleteEntity(instanceId: string): Promise<boolean> {
    const partitionKey = tableKeys.key(instanceId);
    const deleted = await this.deleteRow(this.entities, partitionKey, "");
    await this.payloads.deleteFolder(instanceId);
    this.rowBlobs.delete(this.entityBlobsKey(partitionKey));
    return deleted;
  }

  // ---- Timers ----

  async addTimer(timer: TimerRecord): Promise<void> {
    const rowKey = this.timerKey(timer);
    const texts = await this.storeTexts({ Message: JSON.stringify(timer.message) }, (column, text) =>
      LargePayloads.contentName(timer.message.instanceId, rowKey, column, text),
    );
    await this.timers.upsertEntity<Row>({ partitionKey: TIMERS_PARTITION, rowKey, FireAt: timer.fireAt, ...texts.columns }, "Replace");
  }

  /** Timers with fireAt ≤ now, earliest first, at most max. */
  async dueTimers(now: Date, max: number): Promise<TimerRecord[]> {
    checkCount(max, "max", Number.MAX_SAFE_INTEGER);
    // Row keys are `${fireAt ISO}|…` and "}" sorts right after "|": below this bound is every timer due by now.
    const bound = `${isoBound(now, "now")}}`;
    const page = await this.queryPage<TimerRow>(this.timers, [odata`PartitionKey eq ${TIMERS_PARTITION} and RowKey lt ${bound}`], max);
    return this.timersFromRows(page.rows);
  }

  async deleteTimer(timer: TimerRecord): Promise<void> {
    const rowKey = this.timerKey(timer);
    await this.deleteRow(this.timers, TIMERS_PARTITION, rowKey);
    const json = JSON.stringify(timer.message);
    if (!LargePayloads.fitsTable(json)) await this.payloads.delete([LargePayloads.contentName(timer.message.instanceId, rowKey, "Message", json)]);
  }

  // ---- Queues ----

  /** The control queue of an instance: FNV-1a of its id, so every process agrees. */
  partitionOf(instanceId: string): number {
    let hash = 0x811c9dc5;
    for (let index = 0; index < instanceId.length; index++) {
      hash ^= instanceId.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % this.controlQueues.length;
  }

  async sendControl(message: ControlMessage, visibilityDelaySeconds?: number): Promise<void> {
    const partition = this.partitionOf(message.instanceId);
    await this.send(this.controlQueue(partition), message.instanceId, message, visibilityDelaySeconds);
    this.notifySent("control", partition);
  }

  async receiveControl(partition: number, max: number, leaseSeconds: number): Promise<ReceivedMessage<ControlMessage>[]> {
    return this.receive(this.controlQueue(partition), max, leaseSeconds, messageShapes.isControlMessage);
  }

  async sendWorkItem(message: WorkItemMessage): Promise<void> {
    await this.send(this.workItemQueue, message.instanceId, message);
    this.notifySent("workItems", undefined);
  }

  async receiveWorkItems(max: number, leaseSeconds: number): Promise<ReceivedMessage<WorkItemMessage>[]> {
    return this.receive(this.workItemQueue, max, leaseSeconds, messageShapes.isWorkItemMessage);
  }

  async renewLease<T extends ControlMessage | WorkItemMessage>(received: ReceivedMessage<T>, leaseSeconds: number): Promise<ReceivedMessage<T>> {
    checkCount(leaseSeconds, "leaseSeconds", MAX_VISIBILITY_SECONDS);
    // No message text: only the visibility changes.
    const response = await this.queueNamed(received.queueName).updateMessage(received.messageId, received.popReceipt, undefined, leaseSeconds);
    if (response.popReceipt === undefined) throw new Error(`Renewing the lease of message ${received.messageId} returned no pop receipt.`);
    return { ...received, popReceipt: response.popReceipt };
  }

  async deleteMessage(received: ReceivedMessage<ControlMessage | WorkItemMessage>): Promise<void> {
    await this.deleteLeased(received);
  }

  /** Called after every successful send from this process, so that a poller can look at once. Listeners must not throw. */
  onMessageSent(listener: (queue: "control" | "workItems", partition: number | undefined) => void): void {
    this.sentListeners.push(listener);
  }

  // ---- Internals ----

  private async deleteLeased(received: Omit<ReceivedMessage<ControlMessage>, "message">): Promise<void> {
    try {
      await this.queueNamed(received.queueName).deleteMessage(received.messageId, received.popReceipt);
    } catch (error) {
      // 404: deleted already. Anything else (a 400 pop receipt mismatch: the lease ended and someone
      // else holds the message) leaves the message, and its blob, in place.
      if (!hasStatus(error, 404)) throw error;
    }
    if (received.payloadBlobName !== undefined) await this.payloads.delete([received.payloadBlobName]);
  }

  private async readOrchestrationOnce(instanceId: string): Promise<OrchestrationState> {
    const partitionKey = tableKeys.key(instanceId);
    const rows: TableEntityResult<HistoryRow>[] = [];
    for await (const row of this.history.listEntities<HistoryRow>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) rows.push(row);
    const checkpointRow = rows.find((row) => rowKeyOf(row) === CHECKPOINT_ROW);
    if (checkpointRow === undefined) return { events: [] };
    const checkpoint = JSON.parse(await this.requireText(checkpointRow, "Checkpoint", instanceId)) as Checkpoint;
    const eventKeyPrefix = `${this.executionKey(checkpoint.executionId)}|`;
    const current = rows.filter((row) => {
      const rowKey = rowKeyOf(row);
      return this.isEventKeyOf(rowKey, eventKeyPrefix) && Number(rowKey.slice(eventKeyPrefix.length)) < checkpoint.eventCount;
    });
    current.sort((a, b) => (rowKeyOf(a) < rowKeyOf(b) ? -1 : 1));
    const events = await Promise.all(
      current.map(async (row): Promise<StoredHistoryEvent> => {
        const event = JSON.parse(await this.requireText(row, "Event", instanceId)) as HistoryEvent;
        return row.MessageId === undefined ? { event } : { event, messageId: row.MessageId };
      }),
    );
    this.rememberRowBlobs(this.checkpointBlobsKey(partitionKey), checkpointRow.CheckpointBlob);
    return { checkpoint, events };
  }

  private async instanceFromRow(row: TableEntityResult<InstanceRow>): Promise<InstanceRecord> {
    const [input, output, customStatus] = await Promise.all([this.readText(row, "Input"), this.readText(row, "Output"), this.readText(row, "CustomStatus")]);
    return {
      instanceId: row.InstanceId,
      name: row.Name,
      executionId: row.ExecutionId,
      runtimeStatus: row.RuntimeStatus,
      ...(input !== undefined && { input }),
      ...(output !== undefined && { output }),
      ...(customStatus !== undefined && { customStatus }),
      createdTime: row.CreatedTime,
      lastUpdatedTime: row.LastUpdatedTime,
      ...(row.CompletedTime !== undefined && { completedTime: row.CompletedTime }),
      ...(row.ParentInstanceId !== undefined && { parentInstanceId: row.ParentInstanceId }),
    };
  }

  private async entityFromRow(row: TableEntityResult<EntityRow>): Promise<EntityRecord> {
    const [state, processedMessageIds, outbox] = await Promise.all([
      this.readText(row, "State"),
      this.requireText(row, "ProcessedMessageIds", row.InstanceId),
      this.requireText(row, "Outbox", row.InstanceId),
    ]);
    this.rememberRowBlobs(this.entityBlobsKey(tableKeys.key(row.InstanceId)), row.StateBlob, row.ProcessedMessageIdsBlob, row.OutboxBlob);
    return {
      instanceId: row.InstanceId,
      name: row.Name,
      key: row.Key,
      exists: row.Exists,
      ...(state !== undefined && { state }),
      processedMessageIds: JSON.parse(processedMessageIds) as string[],
      outbox: JSON.parse(outbox) as EntityRecord["outbox"],
      lastModifiedTime: row.LastModifiedTime,
      etag: row.etag,
    };
  }

  private async timersFromRows(rows: readonly TableEntityResult<TimerRow>[]): Promise<TimerRecord[]> {
    const timers = await Promise.all(
      rows.map(async (row): Promise<TimerRecord | undefined> => {
        try {
          const message = JSON.parse(await this.requireText(row, "Message", `timer ${rowKeyOf(row)}`)) as TimerRecord["message"];
          return { fireAt: row.FireAt, message };
        } catch (error) {
          // Deleted (fired) meanwhile.
          if (error instanceof SupersededRowError) return undefined;
          throw error;
        }
      }),
    );
    return timers.filter((timer) => timer !== undefined);
  }

  /** Text columns as a row stores them: inline, or (too large for a table property) in a blob named in `${column}Blob`. */
  private async storeTexts(
    texts: Readonly<Record<string, string | undefined>>,
    blobName: (column: string, text: string) => string,
  ): Promise<{ columns: Record<string, string>; blobs: string[] }> {
    const columns: Record<string, string> = {};
    const blobs: string[] = [];
    const uploads: Promise<void>[] = [];
    for (const [column, text] of Object.entries(texts)) {
      if (text === undefined) continue;
      if (LargePayloads.fitsTable(text)) {
        columns[column] = text;
        continue;
      }
      const name = blobName(column, text);
      columns[`${column}Blob`] = name;
      blobs.push(name);
      uploads.push(this.payloads.upload(name, text));
    }
    await Promise.all(uploads);
    return { columns, blobs };
  }

  private async readText(row: Row, column: string): Promise<string | undefined> {
    const inline = row[column];
    if (typeof inline === "string") return inline;
    const blob = row[`${column}Blob`];
    if (typeof blob !== "string") return undefined;
    const text = await this.payloads.download(blob);
    if (text === undefined) throw new SupersededRowError(`The blob ${blob} is gone.`);
    return text;
  }

  private async requireText(row: Row, column: string, owner: string): Promise<string> {
    const text = await this.readText(row, column);
    if (text === undefined) throw new Error(`The stored row of "${owner}" has no ${column}.`);
    return text;
  }

  private async retryWhileSuperseded<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof SupersededRowError) || attempt >= READ_ATTEMPTS) throw error;
      }
    }
  }

  /** Records what a read saw, unless this process already knows a version (its own write is the better guess). */
  private rememberRowBlobs(key: string, ...blobs: (string | undefined)[]): void {
    const names = blobs.filter((blob) => blob !== undefined);
    if (names.length > 0 && !this.rowBlobs.has(key)) this.rowBlobs.set(key, names);
  }

  /**
   * After a successful write: every version this process saw of the row is superseded, and blob names
   * are never shared between versions, so their blobs can go.
   */
  private async replaceRowBlobs(key: string, blobs: readonly string[]): Promise<void> {
    const superseded = (this.rowBlobs.get(key) ?? []).filter((name) => !blobs.includes(name));
    if (blobs.length > 0) this.rowBlobs.set(key, blobs);
    else this.rowBlobs.delete(key);
    await this.payloads.delete(superseded);
  }

  private checkpointBlobsKey(partitionKey: string): string {
    return `checkpoint\n${partitionKey}`;
  }

  private entityBlobsKey(partitionKey: string): string {
    return `entity\n${partitionKey}`;
  }

  private executionKey(executionId: string): string {
    return tableKeys.key(executionId, 512 - 1 - EVENT_ID_DIGITS);
  }

  private isEventKeyOf(rowKey: string, eventKeyPrefix: string): boolean {
    return rowKey.length === eventKeyPrefix.length + EVENT_ID_DIGITS && rowKey.startsWith(eventKeyPrefix);
  }

  private timerKey(timer: TimerRecord): string {
    return `${isoTime(timer.fireAt, "fireAt")}|${tableKeys.key(timer.message.id, TIMER_ID_KEY_LENGTH)}`;
  }

  private async queryPage<R extends object>(
    table: TableClient,
    filters: readonly string[],
    top: number | undefined,
    continuationToken?: string,
    keep?: (row: TableEntityResult<R>) => boolean,
  ): Promise<{ rows: TableEntityResult<R>[]; continuationToken?: string }> {
    if (top !== undefined) checkCount(top, "top", Number.MAX_SAFE_INTEGER);
    if (continuationToken !== undefined) checkContinuationToken(continuationToken);
    const filter = filters.length > 0 ? filters.join(" and ") : undefined;
    const rows: TableEntityResult<R>[] = [];
    let token = continuationToken;
    // The service may answer with short (even empty) pages before the end: ask again until the page is full.
    do {
      const maxPageSize = Math.min(MAX_PAGE_SIZE, top === undefined ? MAX_PAGE_SIZE : top - rows.length);
      const pages = table.listEntities<R>({ queryOptions: { filter } }).byPage({ maxPageSize, ...(token !== undefined && { continuationToken: token }) });
      const next = await pages.next();
      if (next.done === true) break;
      const page = next.value;
      for (const row of page) if (keep === undefined || keep(row)) rows.push(row);
      token = page.continuationToken;
    } while (token !== undefined && (top === undefined || rows.length < top));
    return token === undefined ? { rows } : { rows, continuationToken: token };
  }

  /** Deletes a row; false when it did not exist. */
  private async deleteRow(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
    try {
      await table.deleteEntity(partitionKey, rowKey);
      return true;
    } catch (error) {
      if (hasStatus(error, 404)) return false;
      throw error;
    }
  }

  private async deleteRows(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<void> {
    const chunks: string[][] = [];
    for (let start = 0; start < rowKeys.length; start += MAX_BATCH_OPERATIONS) chunks.push(rowKeys.slice(start, start + MAX_BATCH_OPERATIONS));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          await table.submitTransaction(chunk.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));
        } catch (error) {
          // A row deleted meanwhile fails the whole batch: delete the rest one by one.
          if (!hasStatus(error, 404)) throw error;
          await Promise.all(chunk.map((rowKey) => this.deleteRow(table, partitionKey, rowKey)));
        }
      }),
    );
  }

  private controlQueue(partition: number): QueueClient {
    const queue = this.controlQueues[partition];
    if (queue === undefined) throw new RangeError(`No control queue ${partition}: the task hub has ${this.controlQueues.length}.`);
    return queue;
  }

  private queueNamed(name: string): QueueClient {
    const queue = this.queuesByName.get(name);
    if (queue === undefined) throw new Error(`The queue "${name}" is not one of task hub ${this.options.taskHubName}'s.`);
    return queue;
  }

  private async send(queue: QueueClient, instanceId: string, message: ControlMessage | WorkItemMessage, visibilityDelaySeconds?: number): Promise<void> {
    // JSON.stringify escapes control characters and lone surrogates; U+FFFE and U+FFFF, which XML (the
    // queue protocol) cannot carry, it leaves raw: escape them too, which JSON.parse undoes.
    let body = JSON.stringify(message).replace(/[\ufffe\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16)}`);
    if (!LargePayloads.fitsQueue(body)) {
      const name = LargePayloads.uniqueName(instanceId, "Message", body);
      await this.payloads.upload(name, body);
      body = JSON.stringify({ [PAYLOAD_BLOB_FIELD]: name });
    }
    let visibilityTimeout: number | undefined;
    if (visibilityDelaySeconds !== undefined && visibilityDelaySeconds > 0) {
      visibilityTimeout = Math.ceil(visibilityDelaySeconds);
      if (visibilityTimeout > MAX_VISIBILITY_SECONDS) throw new RangeError(`A queue message can be delayed by at most 7 days, not ${visibilityDelaySeconds} s.`);
    }
    // Durable messages must not expire (the default time to live is 7 days).
    await queue.sendMessage(body, { messageTimeToLive: -1, ...(visibilityTimeout !== undefined && { visibilityTimeout }) });
  }

  private notifySent(queue: "control" | "workItems", partition: number | undefined): void {
    for (const listener of this.sentListeners) listener(queue, partition);
  }

  private async receive<T extends ControlMessage | WorkItemMessage>(
    queue: QueueClient,
    max: number,
    leaseSeconds: number,
    isValid: (value: unknown) => value is T,
  ): Promise<ReceivedMessage<T>[]> {
    checkCount(max, "max", MAX_RECEIVE_COUNT);
    checkCount(leaseSeconds, "leaseSeconds", MAX_VISIBILITY_SECONDS);
    const response = await queue.receiveMessages({ numberOfMessages: max, visibilityTimeout: leaseSeconds });
    const received = await Promise.all(
      response.receivedMessageItems.map(async (item): Promise<ReceivedMessage<T> | undefined> => {
        const { message, payloadBlobName } = await this.decode(item.messageText);
        const lease = {
          queueName: queue.name,
          messageId: item.messageId,
          popReceipt: item.popReceipt,
          dequeueCount: item.dequeueCount,
          ...(payloadBlobName !== undefined && { payloadBlobName }),
        };
        if (isValid(message)) return { message, ...lease };
        // Not a message of this task hub's (or its blob is gone): it would come back forever.
        await this.deleteLeased(lease);
        return undefined;
      }),
    );
    return received.filter((message) => message !== undefined);
  }

  /** The message a body holds (undefined when it is not JSON), reading it from its blob when it stands for one. */
  private async decode(body: string): Promise<{ message: unknown; payloadBlobName?: string }> {
    const parsed = parseJson(body);
    if (typeof parsed !== "object" || parsed === null || !(PAYLOAD_BLOB_FIELD in parsed)) return { message: parsed };
    const payloadBlobName = parsed[PAYLOAD_BLOB_FIELD];
    if (typeof payloadBlobName !== "string") return { message: undefined };
    const text = await this.payloads.download(payloadBlobName);
    return { message: text === undefined ? undefined : parseJson(text), payloadBlobName };
  }
}

/** Rows carry their keys unless a query's select leaves them out (ours always select RowKey). */
function rowKeyOf(row: { rowKey?: string }): string {
  if (row.rowKey === undefined) throw new Error("A table row came back without its RowKey.");
  return row.rowKey;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
