import { odata, type TableClient, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import type { HistoryEvent } from "../protocol/historyEvents.js";
import { LargePayloads } from "./LargePayloads.js";
import type { Checkpoint, OrchestrationState, StoredHistoryEvent } from "./records.js";
import type { RowBlobs } from "./RowBlobs.js";
import { retryWhileSuperseded, type RowTexts } from "./RowTexts.js";
import { batches, jsonBytes, type PlannedOperation } from "./tableBatches.js";
import { tableKeys } from "./tableKeys.js";
import { deleteRows, rowKeyOf } from "./tableRows.js";

/**
 * The history table: per instance (partition key: the escaped instance id) one row per history event,
 * keyed `${execution key}|${position}`, and one checkpoint row that commits an episode's events.
 * Readers trust only what the checkpoint covers, which is what makes a commit crash-safe.
 */

const EVENT_ID_DIGITS = 10;
const CHECKPOINT_ROW = "checkpoint";

type HistoryRow = {
  Event?: string;
  EventBlob?: string;
  MessageId?: string;
  Checkpoint?: string;
  CheckpointBlob?: string;
};

function executionKey(executionId: string): string {
  return tableKeys.key(executionId, 512 - 1 - EVENT_ID_DIGITS);
}

function isEventKeyOf(rowKey: string, eventKeyPrefix: string): boolean {
  return rowKey.length === eventKeyPrefix.length + EVENT_ID_DIGITS && rowKey.startsWith(eventKeyPrefix);
}

export class HistoryTable {
  constructor(
    private readonly table: TableClient,
    private readonly payloads: LargePayloads,
    private readonly texts: RowTexts,
    /** The blobs of checkpoint rows, by partition key. */
    private readonly checkpointBlobs: RowBlobs,
  ) {}

  async read(instanceId: string): Promise<OrchestrationState> {
    return retryWhileSuperseded(() => this.readOnce(instanceId));
  }

  async commitEpisode(instanceId: string, newEvents: StoredHistoryEvent[], checkpoint: Checkpoint): Promise<void> {
    const partitionKey = tableKeys.key(instanceId);
    const eventKeyPrefix = `${executionKey(checkpoint.executionId)}|`;
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
    await Promise.all(planned.map((batch) => this.table.submitTransaction(batch)));
    await this.table.submitTransaction(last);
    await this.checkpointBlobs.replace(partitionKey, checkpointRow.CheckpointBlob === undefined ? [] : [checkpointRow.CheckpointBlob]);
  }

  async deleteOtherExecutions(instanceId: string, keepExecutionId: string): Promise<void> {
    const partitionKey = tableKeys.key(instanceId);
    const keepPrefix = `${executionKey(keepExecutionId)}|`;
    const doomed: { rowKey: string; blob?: string }[] = [];
    const rows = this.table.listEntities<Pick<HistoryRow, "EventBlob">>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey", "EventBlob"] },
    });
    for await (const row of rows) {
      const rowKey = rowKeyOf(row);
      if (rowKey === CHECKPOINT_ROW || isEventKeyOf(rowKey, keepPrefix)) continue;
      doomed.push({ rowKey, ...(row.EventBlob !== undefined && { blob: row.EventBlob }) });
    }
    await deleteRows(this.table, partitionKey, doomed.map((row) => row.rowKey));
    await this.payloads.delete(doomed.flatMap((row) => row.blob ?? []));
  }

  /** The row keys of every row of the instance: what a purge deletes. */
  async rowKeys(instanceId: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${tableKeys.key(instanceId)}`, select: ["RowKey"] } })) {
      keys.push(rowKeyOf(row));
    }
    return keys;
  }

  /** Deletes rows of the instance that rowKeys listed (their blobs go with the instance's blob folder). */
  async deleteRows(instanceId: string, rowKeys: readonly string[]): Promise<void> {
    await deleteRows(this.table, tableKeys.key(instanceId), rowKeys);
  }

  /** After a purge: the instance's checkpoint blobs are gone already. */
  forgetCheckpointBlobs(instanceId: string): void {
    this.checkpointBlobs.forget(tableKeys.key(instanceId));
  }

  private async readOnce(instanceId: string): Promise<OrchestrationState> {
    const partitionKey = tableKeys.key(instanceId);
    const rows: TableEntityResult<HistoryRow>[] = [];
    for await (const row of this.table.listEntities<HistoryRow>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) rows.push(row);
    const checkpointRow = rows.find((row) => rowKeyOf(row) === CHECKPOINT_ROW);
    if (checkpointRow === undefined) return { events: [] };
    const checkpoint = JSON.parse(await this.texts.require(checkpointRow, "Checkpoint", instanceId)) as Checkpoint;
    const eventKeyPrefix = `${executionKey(checkpoint.executionId)}|`;
    const current = rows.filter((row) => {
      const rowKey = rowKeyOf(row);
      return isEventKeyOf(rowKey, eventKeyPrefix) && Number(rowKey.slice(eventKeyPrefix.length)) < checkpoint.eventCount;
    });
    current.sort((a, b) => (rowKeyOf(a) < rowKeyOf(b) ? -1 : 1));
    const events = await Promise.all(
      current.map(async (row): Promise<StoredHistoryEvent> => {
        const event = JSON.parse(await this.texts.require(row, "Event", instanceId)) as HistoryEvent;
        return row.MessageId === undefined ? { event } : { event, messageId: row.MessageId };
      }),
    );
    this.checkpointBlobs.remember(partitionKey, checkpointRow.CheckpointBlob);
    return { checkpoint, events };
  }
}
