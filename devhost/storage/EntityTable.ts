import { odata, type TableClient, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import { hasStatus } from "./hasStatus.js";
import { isoBound, isoTime } from "./isoTime.js";
import { LargePayloads } from "./LargePayloads.js";
import { queryPage } from "./queryPage.js";
import type { EntityQuery, EntityRecord, Page } from "./records.js";
import type { RowBlobs } from "./RowBlobs.js";
import { retryWhileSuperseded, SupersededRowError, type RowTexts } from "./RowTexts.js";
import { deleteRow, getRow, type Row } from "./tableRows.js";
import { tableKeys } from "./tableKeys.js";

/**
 * The entities table: one row per durable entity (partition key: the escaped entity instance id,
 * row key ""), written with optimistic concurrency on its ETag. Each version of a row names blobs of
 * its own, so a reader of the previous version never finds its blobs overwritten.
 */

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

export class EntityTable {
  constructor(
    private readonly table: TableClient,
    private readonly payloads: LargePayloads,
    private readonly texts: RowTexts,
    /** The blobs of entity rows, by partition key. */
    private readonly rowBlobs: RowBlobs,
  ) {}

  async read(instanceId: string): Promise<EntityRecord | undefined> {
    return retryWhileSuperseded(async () => {
      const row = await getRow<EntityRow>(this.table, tableKeys.key(instanceId), "");
      return row === undefined ? undefined : this.fromRow(row);
    });
  }

  /**
   * Inserts the entity (no etag) or replaces the version read (etag). False when that lost to another
   * writer: the row exists already (409), changed (412) or was deleted (404). On success the record's
   * etag is set to the new version's, so that the record can be written again.
   */
  async write(record: EntityRecord): Promise<boolean> {
    const partitionKey = tableKeys.key(record.instanceId);
    const texts = await this.texts.store(
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
      const response = record.etag === undefined ? await this.table.createEntity(row) : await this.table.updateEntity(row, "Replace", { etag: record.etag });
      etag = response.etag;
    } catch (error) {
      if (!hasStatus(error, 404, 409, 412)) throw error;
      // The blobs are this attempt's own (new names), and the row that won does not name them.
      await this.payloads.delete(texts.blobs);
      return false;
    }
    await this.rowBlobs.replace(partitionKey, texts.blobs);
    record.etag = etag;
    return true;
  }

  async query(query: EntityQuery): Promise<Page<EntityRecord>> {
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
    const page = await queryPage<EntityRow>(this.table, filters, query.top, query.continuationToken, keep);
    const records = await Promise.all(
      page.rows.map((row) =>
        this.fromRow(row).catch((error: unknown) => {
          // Replaced since the query read it: read the current version.
          if (error instanceof SupersededRowError) return this.read(row.InstanceId);
          throw error;
        }),
      ),
    );
    return { items: records.filter((record) => record !== undefined), continuationToken: page.continuationToken };
  }

  async delete(instanceId: string): Promise<boolean> {
    const partitionKey = tableKeys.key(instanceId);
    const deleted = await deleteRow(this.table, partitionKey, "");
    await this.payloads.deleteFolder(instanceId);
    this.rowBlobs.forget(partitionKey);
    return deleted;
  }

  private async fromRow(row: TableEntityResult<EntityRow>): Promise<EntityRecord> {
    const [state, processedMessageIds, outbox] = await Promise.all([
      this.texts.read(row, "State"),
      this.texts.require(row, "ProcessedMessageIds", row.InstanceId),
      this.texts.require(row, "Outbox", row.InstanceId),
    ]);
    this.rowBlobs.remember(tableKeys.key(row.InstanceId), row.StateBlob, row.ProcessedMessageIdsBlob, row.OutboxBlob);
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
}
