import { createHash, randomUUID } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { hasStatus } from "./hasStatus.js";

/**
 * Table properties hold at most 64 KiB of UTF-16 and queue messages 64 KiB of UTF-8. As the Durable
 * extension does, values above 45 KiB go to blobs, which leaves room for the rest of the row or
 * message and keeps entity-group transactions well under their 4 MiB.
 */
const LIMIT_BYTES = 45 * 1024;

/**
 * Blob content is UTF-8, which cannot carry a lone surrogate. A text holding one (never JSON.stringify
 * output, but a caller's text could) is stored as UTF-16 instead, marked by this suffix of its name.
 */
const UTF16_SUFFIX = ".utf16";
const LONE_SURROGATE = /\p{Cs}/u;

const encodingOf = (name: string): BufferEncoding => (name.endsWith(UTF16_SUFFIX) ? "utf16le" : "utf8");
const suffixFor = (text: string): string => (LONE_SURROGATE.test(text) ? UTF16_SUFFIX : "");

/**
 * Texts too large for a table property or a queue message, in the task hub's blob container, each
 * under its instance's folder (a hash of the instance id: blob names have their own rules, and
 * purging an instance deletes the folder).
 */
export class LargePayloads {
  constructor(readonly container: ContainerClient) {}

  static fitsTable(text: string): boolean {
    return text.length * 2 <= LIMIT_BYTES;
  }

  static fitsQueue(body: string): boolean {
    // A UTF-8 byte is at most three per UTF-16 code unit: most bodies pass without being measured.
    return body.length * 3 <= LIMIT_BYTES || LargePayloads.fitsQueueBytes(Buffer.byteLength(body, "utf8"));
  }

  /** For a body measured already (in UTF-8 bytes), or built up piece by piece. */
  static fitsQueueBytes(byteCount: number): boolean {
    return byteCount <= LIMIT_BYTES;
  }

  static folderOf(instanceId: string): string {
    return createHash("sha256").update(instanceId, "utf16le").digest("hex");
  }

  /**
   * The blob for a column of a row whose text never changes once written (a history event, an
   * instance's input): one name per row, column and text, so writing it again is harmless and no two
   * rows share a blob.
   */
  static contentName(instanceId: string, rowKey: string, column: string, text: string): string {
    const hash = createHash("sha256").update(`${rowKey}\n${column}\n`, "utf16le").update(text, "utf16le").digest("hex");
    return `${LargePayloads.folderOf(instanceId)}/${column}-${hash}${suffixFor(text)}`;
  }

  /** A fresh blob for one version of a text that changes (a checkpoint, an entity's state, a queue message). */
  static uniqueName(instanceId: string, column: string, text: string): string {
    return `${LargePayloads.folderOf(instanceId)}/${column}-${randomUUID()}${suffixFor(text)}`;
  }

  async upload(name: string, text: string): Promise<void> {
    const data = Buffer.from(text, encodingOf(name));
    await this.container.getBlockBlobClient(name).upload(data, data.length);
  }

  /** The text, or undefined when the blob is gone (deleted with the version of the row that named it). */
  async download(name: string): Promise<string | undefined> {
    try {
      return (await this.container.getBlockBlobClient(name).downloadToBuffer()).toString(encodingOf(name));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async delete(names: Iterable<string>): Promise<void> {
    await Promise.all(Array.from(names, (name) => this.container.getBlockBlobClient(name).deleteIfExists()));
  }

  async deleteFolder(instanceId: string): Promise<void> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: `${LargePayloads.folderOf(instanceId)}/` })) names.push(blob.name);
    await this.delete(names);
  }
}
