import { LargePayloads } from "./LargePayloads.js";
import type { Row } from "./tableRows.js";

/**
 * Text columns of table rows, which every table has: a text is stored inline, or, too large for a
 * table property, in a blob named in a sibling column `${column}Blob`. Reading such a column can
 * find the blob gone, which means the row was replaced since it was read.
 */

/** Reads retry when a blob named by a row is gone because a newer version of the row replaced it meanwhile. */
const READ_ATTEMPTS = 3;

/** A blob named by a row was deleted: the row has been replaced since it was read. */
export class SupersededRowError extends Error {}

/** Runs a read again (a few times) when it met a superseded row. */
export async function retryWhileSuperseded<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof SupersededRowError) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

export class RowTexts {
  constructor(private readonly payloads: LargePayloads) {}

  /** Text columns as a row stores them: inline, or (too large for a table property) in a blob named in `${column}Blob`. */
  async store(
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

  /** The column's text; undefined when the row has none; SupersededRowError when its blob is gone. */
  async read(row: Row, column: string): Promise<string | undefined> {
    const inline = row[column];
    if (typeof inline === "string") return inline;
    const blob = row[`${column}Blob`];
    if (typeof blob !== "string") return undefined;
    const text = await this.payloads.download(blob);
    if (text === undefined) throw new SupersededRowError(`The blob ${blob} is gone.`);
    return text;
  }

  /** As read, for a column every row of its kind has. */
  async require(row: Row, column: string, owner: string): Promise<string> {
    const text = await this.read(row, column);
    if (text === undefined) throw new Error(`The stored row of "${owner}" has no ${column}.`);
    return text;
  }
}
