import { odata, type TableClient, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";
import { isoBound, isoTime } from "./isoTime.js";
import { LargePayloads } from "./LargePayloads.js";
import { queryPage } from "./queryPage.js";
import type { InstanceQuery, InstanceRecord, Page } from "./records.js";
import type { RowTexts } from "./RowTexts.js";
import { deleteRow, getRow, type Row } from "./tableRows.js";
import { tableKeys } from "./tableKeys.js";

/**
 * The instances table: one row per orchestration instance (partition key: the escaped instance id,
 * row key ""), what status queries and listings read. Rows are replaced whole, not versioned.
 */

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

export class InstanceTable {
  constructor(
    private readonly table: TableClient,
    private readonly texts: RowTexts,
  ) {}

  async get(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = await getRow<InstanceRow>(this.table, tableKeys.key(instanceId), "");
    return row === undefined ? undefined : this.fromRow(row);
  }

  async put(record: InstanceRecord): Promise<void> {
    const partitionKey = tableKeys.key(record.instanceId);
    // Content-named blobs: writing the same input again reuses its blob, and a changed value leaves the
    // old blob to the purge (deleting it here could race a reader; instance rows are not versioned).
    const texts = await this.texts.store({ Input: record.input, Output: record.output, CustomStatus: record.customStatus }, (column, text) =>
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
    await this.table.upsertEntity(row, "Replace");
  }

  async query(query: InstanceQuery): Promise<Page<InstanceRecord>> {
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
    const page = await queryPage<InstanceRow>(this.table, filters, query.top, query.continuationToken, keep);
    return { items: await Promise.all(page.rows.map((row) => this.fromRow(row))), continuationToken: page.continuationToken };
  }

  /** Deletes the instance's row (its blobs go with the instance's blob folder); false when there was none. */
  async delete(instanceId: string): Promise<boolean> {
    return deleteRow(this.table, tableKeys.key(instanceId), "");
  }

  private async fromRow(row: TableEntityResult<InstanceRow>): Promise<InstanceRecord> {
    const [input, output, customStatus] = await Promise.all([this.texts.read(row, "Input"), this.texts.read(row, "Output"), this.texts.read(row, "CustomStatus")]);
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
}
