import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { ActivityNames, OrchestratorNames } from "../names.js";
import { blobNameFor, FILES_PER_BATCH, splitIntoBatches, sum } from "../logic/backup.js";
import { validateDirectoryPath } from "../logic/startInputs.js";
import { blobContainer } from "../storage/storageClients.js";

/**
 * Fan-out/fan-in: list a directory tree, copy every file to blob storage in parallel, add up the
 * bytes. The copies run in sub-orchestrations of at most FILES_PER_BATCH files, so no batch's
 * history (and no single fan-in) grows with the size of the tree. The file list itself does: it is
 * E2_GetFileList's output, kept in the parent's history (and handed to the batches as input).
 */

export const BACKUP_CONTAINER = "backups";

export interface BackupBatch {
  rootDirectory: string;
  files: string[];
}

export interface FileToCopy {
  rootDirectory: string;
  /** Relative to rootDirectory. */
  file: string;
}

const backupSiteContent: OrchestrationHandler = function* (context: OrchestrationContext) {
  const rootDirectory = validateDirectoryPath(context.df.getInput());
  const files = (yield context.df.callActivity(ActivityNames.getFileList, rootDirectory)) as string[];
  const batches = splitIntoBatches(files, FILES_PER_BATCH).map((batch): BackupBatch => ({ rootDirectory, files: batch }));
  // Task.all of no tasks throws in durable-functions 3.x: an empty tree has nothing to copy.
  if (batches.length === 0) return 0;
  const batchTotals = (yield context.df.Task.all(
    batches.map((batch) => context.df.callSubOrchestrator(OrchestratorNames.backupBatch, batch)),
  )) as number[];
  return sum(batchTotals);
};

/**
 * How a file's copy is retried: a transient storage error (a throttled request, a dropped
 * connection) must not fail the whole backup, so a failed copy is tried again 5 s and then 10 s
 * later, and the batch fails only when the third attempt fails too. A retry is safe: activities
 * run at least once anyway, and uploadFile overwrites the blob whole, so a copy that ran twice
 * leaves the same blob as one that ran once. The durable timers between attempts are the
 * extension's; the batch's history grows by one timer and one task for each retry.
 */
export const COPY_RETRY = { firstRetryIntervalMs: 5_000, maxAttempts: 3, backoffCoefficient: 2 } as const;

function copyRetryOptions(): df.RetryOptions {
  const options = new df.RetryOptions(COPY_RETRY.firstRetryIntervalMs, COPY_RETRY.maxAttempts);
  options.backoffCoefficient = COPY_RETRY.backoffCoefficient;
  return options;
}

const backupBatch: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { rootDirectory, files } = context.df.getInput<BackupBatch>();
  const retry = copyRetryOptions();
  const copies = files.map((file) =>
    context.df.callActivityWithRetry(ActivityNames.copyFileToBlob, retry, { rootDirectory, file } satisfies FileToCopy),
  );
  return sum((yield context.df.Task.all(copies)) as number[]);
};

/** Every file below the directory, as paths relative to it, in a stable order. */
export async function getFileList(rootDirectory: unknown): Promise<string[]> {
  const root = validateDirectoryPath(rootDirectory);
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) throw new Error(`The directory '${root}' does not exist.`);
  if (!info.isDirectory()) throw new Error(`'${root}' is not a directory.`);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Uploads one file to the backups container and returns the bytes copied. */
export async function copyFileToBlob(input: unknown): Promise<number> {
  const { rootDirectory, file } = input as FileToCopy;
  const source = path.join(rootDirectory, file);
  const blobName = blobNameFor(path.basename(path.resolve(rootDirectory)), file);
  const container = await blobContainer(BACKUP_CONTAINER);
  const { size } = await stat(source);
  await container.getBlockBlobClient(blobName).uploadFile(source);
  return size;
}

df.app.orchestration(OrchestratorNames.backupSiteContent, backupSiteContent);
df.app.orchestration(OrchestratorNames.backupBatch, backupBatch);
df.app.activity(ActivityNames.getFileList, { handler: getFileList });
df.app.activity(ActivityNames.copyFileToBlob, { handler: copyFileToBlob });
