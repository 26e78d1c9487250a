import type { TransactionAction } from "@azure/data-tables";

/**
 * Entity-group transactions and their limits, for the writes that span many rows of one partition
 * (a history commit, a purge).
 */

/** Entity-group transactions hold at most 100 operations and 4 MiB; the margin covers the multipart framing. */
export const MAX_BATCH_OPERATIONS = 100;
const MAX_BATCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** Per operation in a batch: its headers and URL. */
const BATCH_OPERATION_OVERHEAD = 1024;
/** A UTF-16 code unit takes at most 6 bytes in a JSON body (`\u0001`), so length × 6 bounds a string's share. */
const MAX_JSON_BYTES_PER_CODE_UNIT = 6;

export interface PlannedOperation {
  action: TransactionAction;
  bytes: number;
}

/** Splits in order into batches within the transaction limits. */
export function batches(operations: readonly PlannedOperation[]): TransactionAction[][] {
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

/** An upper bound of an operation's share of a batch body, from the text columns it writes. */
export const jsonBytes = (...texts: (string | undefined)[]): number =>
  texts.reduce((sum, text) => sum + (text?.length ?? 0) * MAX_JSON_BYTES_PER_CODE_UNIT, BATCH_OPERATION_OVERHEAD);
