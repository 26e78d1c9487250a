import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { useE2eTarget } from "./support/e2eTarget.js";
import { startAndCheck, startOrchestration } from "./support/app.js";
import { waitForCompletion, waitForEnd } from "./support/durable.js";
import { expectJsonError } from "./support/http.js";

/**
 * E2_BackupSiteContent, fan-out/fan-in: a directory tree on this machine (the host reads the path
 * it is given, so against E2E_BASE_URL the host must run here too) is copied to the blob container
 * `backups` as `<directory name>/<relative path>`, and the output is the total of bytes copied.
 */

const target = useE2eTarget({ name: "backup", clock: "real" });

const CONTAINER = "backups";

let workDir = "";

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "e2e-backup-"));
});

afterAll(async () => {
  if (workDir !== "") await rm(workDir, { recursive: true, force: true });
});

function container(): ContainerClient {
  return BlobServiceClient.fromConnectionString(target.storageConnectionString).getContainerClient(CONTAINER);
}

/** Writes the files (relative path → size) below a new directory; each byte says where it came from. */
async function createTree(name: string, files: Record<string, number>): Promise<{ root: string; contents: Map<string, Buffer> }> {
  const root = await mkdtemp(path.join(workDir, `${name}-`));
  const contents = new Map<string, Buffer>();
  for (const [relative, size] of Object.entries(files)) {
    const content = Buffer.alloc(size, relative);
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
    contents.set(relative, content);
  }
  return { root, contents };
}

/** Every blob below `<prefix>/`, with its content. */
async function backedUp(prefix: string): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  for await (const blob of container().listBlobsFlat({ prefix: `${prefix}/` })) {
    blobs.set(blob.name, await container().getBlobClient(blob.name).downloadToBuffer());
  }
  return blobs;
}

function expectedBlobs(root: string, contents: Map<string, Buffer>): Map<string, Buffer> {
  const prefix = path.basename(root);
  return new Map([...contents].map(([relative, content]) => [`${prefix}/${relative.split(path.sep).join("/")}`, content]));
}

function totalSize(contents: Map<string, Buffer>): number {
  return [...contents.values()].reduce((total, content) => total + content.length, 0);
}

describe("E2_BackupSiteContent, fan-out/fan-in", { timeout: 90_000 }, () => {
  it("copies every file below the directory to backups/<name>/<path> and outputs the total bytes", async () => {
    const { root, contents } = await createTree("site", {
      "index.html": 1_234,
      "empty.txt": 0,
      [path.join("css", "site.css")]: 4_096,
      [path.join("img", "deep", "logo.png")]: 70_001,
      [path.join("img", "deep", "other", "x.bin")]: 1,
    });
    const payload = await startAndCheck(target, "E2_BackupSiteContent", { data: JSON.stringify(root) });
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status).toMatchObject({ name: "E2_BackupSiteContent", input: root, output: totalSize(contents) });
    expect(totalSize(contents)).toBe(75_332);
    expect(await backedUp(path.basename(root))).toEqual(expectedBlobs(root, contents));
  });

  it("splits a tree of more than 200 files into batches and still copies each file once", async () => {
    const files = Object.fromEntries(Array.from({ length: 205 }, (_, index) => [path.join(`dir${index % 3}`, `file${index}.txt`), index]));
    const { root, contents } = await createTree("many", files);
    const payload = await startAndCheck(target, "E2_BackupSiteContent", { json: root });
    const status = await waitForCompletion(payload.statusQueryGetUri, { timeoutMs: 75_000 });
    expect(status.output).toBe(totalSize(contents));
    expect(totalSize(contents)).toBe((204 * 205) / 2);
    const blobs = await backedUp(path.basename(root));
    expect(blobs.size).toBe(205);
    expect(blobs).toEqual(expectedBlobs(root, contents));
  }, 120_000);

  it("outputs 0 for an empty directory", async () => {
    const { root } = await createTree("empty", {});
    const payload = await startAndCheck(target, "E2_BackupSiteContent", { json: root });
    expect((await waitForCompletion(payload.statusQueryGetUri)).output).toBe(0);
  });

  it("fails the instance for a missing directory or a file, with README's messages", async () => {
    const missing = path.join(workDir, "nope");
    const { root } = await createTree("notes", { "notes.txt": 5 });
    const file = path.join(root, "notes.txt");

    for (const [input, message] of [
      [missing, `The directory '${missing}' does not exist.`],
      [file, `'${file}' is not a directory.`],
    ] as const) {
      const payload = await startAndCheck(target, "E2_BackupSiteContent", { json: input });
      const status = await waitForEnd(payload.statusQueryGetUri);
      expect(status.runtimeStatus, JSON.stringify(status)).toBe("Failed");
      expect(String(status.output), JSON.stringify(status)).toContain(message);
    }
  });

  it("refuses a path that is not a JSON string with 400 invalid_input", async () => {
    expectJsonError(
      await startOrchestration(target, "E2_BackupSiteContent", { data: "42" }),
      400,
      "invalid_input",
      "The input must be a directory path as a JSON string, not a number.",
    );
    expectJsonError(
      await startOrchestration(target, "E2_BackupSiteContent"),
      400,
      "invalid_input",
      "The input must be a directory path as a JSON string, not nothing.",
    );
    expectJsonError(
      await startOrchestration(target, "E2_BackupSiteContent", { json: "  " }),
      400,
      "invalid_input",
      "The directory path must be 1 to 1024 characters long.",
    );
  });
});
