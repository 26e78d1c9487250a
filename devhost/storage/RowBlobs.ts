import type { LargePayloads } from "./LargePayloads.js";

/**
 * Blobs of rows that get new blob names per version (checkpoints, entities), as this process last
 * wrote or read them: the versions that a successful write supersedes, whose blobs it deletes.
 * One per kind of row, keyed by the row's partition key.
 */
export class RowBlobs {
  private readonly byRow = new Map<string, readonly string[]>();

  constructor(private readonly payloads: LargePayloads) {}

  /** Records what a read saw, unless this process already knows a version (its own write is the better guess). */
  remember(key: string, ...blobs: (string | undefined)[]): void {
    const names = blobs.filter((blob) => blob !== undefined);
    if (names.length > 0 && !this.byRow.has(key)) this.byRow.set(key, names);
  }

  /**
   * After a successful write: every version this process saw of the row is superseded, and blob names
   * are never shared between versions, so their blobs can go.
   */
  async replace(key: string, blobs: readonly string[]): Promise<void> {
    const superseded = (this.byRow.get(key) ?? []).filter((name) => !blobs.includes(name));
    if (blobs.length > 0) this.byRow.set(key, blobs);
    else this.byRow.delete(key);
    await this.payloads.delete(superseded);
  }

  /** The row is gone, and its blobs with it. */
  forget(key: string): void {
    this.byRow.delete(key);
  }

  clear(): void {
    this.byRow.clear();
  }
}
