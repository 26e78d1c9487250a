import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { checkCount } from "./checkCount.js";

/**
 * One page of a filtered table query, for the listings that callers page through (instances,
 * entities) and for due timers. The service's own paging is not what callers want: see below.
 */

/** Azure Tables answer at most 1,000 rows per request. */
const MAX_PAGE_SIZE = 1000;

/** Tokens are the SDK's: base64 JSON naming the next partition key. A caller's garbage fails here, not at the service. */
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

/** Up to `top` rows that pass `keep`, and the token to go on from (absent at the end). */
export async function queryPage<R extends object>(
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
