/**
 * Runs `work` for every item with at most `limit` in flight at once, keeping the results in the
 * items' order. A burst of a few hundred requests is still concurrent at that cap; the cap keeps
 * the test process's own sockets and the 2-core machine from being what the test measures.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}.`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many of the values are each distinct value: counts([200, 200, 409]) → Map { 200 → 2, 409 → 1 }. */
export function counts<T>(values: readonly T[]): Map<T, number> {
  const tally = new Map<T, number>();
  for (const value of values) tally.set(value, (tally.get(value) ?? 0) + 1);
  return tally;
}
