/** Fan-out/fan-in backup: how a directory tree maps onto blobs and onto bounded batches. */

/** Files per E2_BackupBatch sub-orchestration: keeps each history small and each fan-in on one VM short. */
export const FILES_PER_BATCH = 200;

export function splitIntoBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Batch size must be a positive integer, got ${size}.`);
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    batches.push(items.slice(start, start + size));
  }
  return batches;
}

/**
 * The blob name keeps the file's place below the backed-up directory, under a folder named after
 * that directory: backing up /srv/site stores /srv/site/css/a.css as site/css/a.css.
 */
export function blobNameFor(rootDirectoryName: string, relativePath: string): string {
  const segments = relativePath.split(/[\\/]+/).filter((segment) => segment.length > 0 && segment !== ".");
  if (segments.includes("..")) throw new RangeError(`'${relativePath}' leaves the backed-up directory.`);
  return [rootDirectoryName || "root", ...segments].join("/");
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
