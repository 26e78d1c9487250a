import { mkdtemp, mkdir, rm, writeFile, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { ActivityNames } from "../../src/names.js";
import { BACKUP_CONTAINER, type FileToCopy } from "../../src/functions/backupSiteContent.js";

/**
 * E2_GetFileList and E2_CopyFileToBlob through the SDK's activity wrapper, against a real directory
 * tree and the test run's Azurite.
 */

/** Relative paths (with the platform's separator) and the bytes each file holds. */
const fileContents: Record<string, Buffer> = {
  "index.html": Buffer.from("<h1>hello</h1>\n"),
  "empty.txt": Buffer.alloc(0),
  [path.join("css", "site.css")]: Buffer.from("body { margin: 0; }\n"),
  [path.join("images", "large.bin")]: Buffer.from(Array.from({ length: 200 * 1024 }, (_, index) => (index * 31 + 7) % 256)),
  [path.join("images", "icons", "a.svg")]: Buffer.from("<svg/>"),
};
const expectedFiles = Object.keys(fileContents).sort();

/** Temp directories, so that every blob this file writes sits under a name no other test uses. */
const tempDirectories: string[] = [];
let root: string;
let rootName: string;
let container: ContainerClient;

async function callActivity(name: string, input: unknown): Promise<unknown> {
  const fn = registeredFunction(name);
  const logs: LogLine[] = [];
  return await fn.handler(input, invocationContext(fn, logs));
}

async function tempDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "backup-activities-"));
  tempDirectories.push(directory);
  return directory;
}

function blobNameOf(rootDirectoryName: string, relative: string): string {
  return `${rootDirectoryName}/${relative.split(path.sep).join("/")}`;
}

async function blobNamesUnder(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
}

beforeAll(async () => {
  process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
  await loadApp();
  container = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(BACKUP_CONTAINER);

  root = await tempDirectory();
  rootName = path.basename(root);
  for (const [relative, content] of Object.entries(fileContents)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }
  // A directory with nothing in it must not show up as a file.
  await mkdir(path.join(root, "empty-dir"), { recursive: true });
});

afterAll(async () => {
  await Promise.all(tempDirectories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe("E2_GetFileList", () => {
  it("lists every file below the root, relative to it, sorted, without directories", async () => {
    const files = await callActivity(ActivityNames.getFileList, root);

    expect(files).toEqual(expectedFiles);
    expect(expectedFiles).toContain(path.join("images", "icons", "a.svg"));
  });

  it("rejects a path that does not exist", async () => {
    const missing = path.join(root, "no-such-dir");

    await expect(callActivity(ActivityNames.getFileList, missing)).rejects.toThrow(
      `The directory '${missing}' does not exist.`,
    );
  });

  it("rejects a path that is a file, not a directory", async () => {
    const file = path.join(root, "index.html");

    await expect(callActivity(ActivityNames.getFileList, file)).rejects.toThrow(`'${file}' is not a directory.`);
  });
});

describe("E2_CopyFileToBlob", () => {
  it("copies each file to backups/<root name>/<relative path> and returns its size", async () => {
    for (const file of expectedFiles) {
      const size = await callActivity(ActivityNames.copyFileToBlob, { rootDirectory: root, file } satisfies FileToCopy);
      expect(size).toBe(fileContents[file]?.length);
    }

    const expectedBlobs = expectedFiles.map((file) => blobNameOf(rootName, file)).sort();
    expect(expectedBlobs).toContain(`${rootName}/images/icons/a.svg`);
    expect(await blobNamesUnder(`${rootName}/`)).toEqual(expectedBlobs);
    for (const file of expectedFiles) {
      const downloaded = await container.getBlockBlobClient(blobNameOf(rootName, file)).downloadToBuffer();
      expect(downloaded.equals(await readFile(path.join(root, file)))).toBe(true);
      expect(downloaded.length).toBe(fileContents[file]?.length);
    }
  });

  it("names blobs after the root directory's own name, also for a root given with a trailing separator", async () => {
    const size = await callActivity(ActivityNames.copyFileToBlob, {
      rootDirectory: root + path.sep,
      file: path.join("css", "site.css"),
    } satisfies FileToCopy);

    expect(size).toBe(fileContents[path.join("css", "site.css")]?.length);
    expect(await blobNamesUnder(`${rootName}/css/`)).toEqual([`${rootName}/css/site.css`]);
  });

  it("overwrites the blob when the same file is copied again", async () => {
    const otherRoot = await tempDirectory();
    const blobName = `${path.basename(otherRoot)}/page.txt`;
    const source = path.join(otherRoot, "page.txt");
    await writeFile(source, "first version");
    const input = { rootDirectory: otherRoot, file: "page.txt" } satisfies FileToCopy;

    expect(await callActivity(ActivityNames.copyFileToBlob, input)).toBe(13);
    expect(await callActivity(ActivityNames.copyFileToBlob, input)).toBe(13);
    expect(await blobNamesUnder(`${path.basename(otherRoot)}/`)).toEqual([blobName]);
    expect((await container.getBlockBlobClient(blobName).downloadToBuffer()).toString()).toBe("first version");

    await writeFile(source, "second, longer version");
    expect(await callActivity(ActivityNames.copyFileToBlob, input)).toBe(22);
    expect(await blobNamesUnder(`${path.basename(otherRoot)}/`)).toEqual([blobName]);
    expect((await container.getBlockBlobClient(blobName).downloadToBuffer()).toString()).toBe("second, longer version");
  });

  it("refuses a relative path that leaves the backed-up directory", async () => {
    await expect(
      callActivity(ActivityNames.copyFileToBlob, { rootDirectory: root, file: path.join("..", "outside.txt") } satisfies FileToCopy),
    ).rejects.toThrow(new RangeError(`'${path.join("..", "outside.txt")}' leaves the backed-up directory.`));
  });
});
