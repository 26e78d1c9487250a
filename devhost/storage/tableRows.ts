import type { TableClient, TableEntityResult, TransactionAction } from "@azure/data-tables";
import { hasStatus } from "./hasStatus.js";
import { MAX_BATCH_OPERATIONS } from "./tableBatches.js";

/** Row plumbing that every table of the task hub needs: the untyped row shape, keys, and deletes that tolerate rows already gone. */

/** A row as the tables SDK hands it over before it is read column by column. */
export type Row = Readonly<Record<string, unknown>>;

/** Rows carry their keys unless a query's select leaves them out (ours always select RowKey). */
export function rowKeyOf(row: { rowKey?: string }): string {
  if (row.rowKey === undefined) throw new Error("A table row came back without its RowKey.");
  return row.rowKey;
}

/** The row, or undefined when there is none. */
export async function getRow<R extends object>(table: TableClient, partitionKey: string, rowKey: string): Promise<TableEntityResult<R> | undefined> {
  try {
    return await table.getEntity<R>(partitionKey, rowKey);
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}

/** Deletes a row; false when it did not exist. */
export async function deleteRow(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (hasStatus(error, 404)) return false;
    throw error;
  }
}

export async function deleteRows(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<void> {
  const chunks: string[][] = [];
  for (let start = 0; start < rowKeys.length; start += MAX_BATCH_OPERATIONS) chunks.push(rowKeys.slice(start, start + MAX_BATCH_OPERATIONS));
  await Promise.all(
    chunks.map(async (chunk) => {
      try {
        await table.submitTransaction(chunk.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));
      } catch (error) {
        // A row deleted meanwhile fails the whole batch: delete the rest one by one.
        if (!hasStatus(error, 404)) throw error;
        await Promise.all(chunk.map((rowKey) => deleteRow(table, partitionKey, rowKey)));
      }
    }),
  );
}
