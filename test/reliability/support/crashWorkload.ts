import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { counterUrl, decide, e3CounterUrl, startAndCheck, uniqueId } from "../../e2e/support/app.js";
import { readStatus, waitForCompletion, waitForStatus, type CheckStatusPayload } from "../../e2e/support/durable.js";
import { describeResult, expectJson, get, jsonObject, post, type HttpResult } from "../../e2e/support/http.js";
import { pollUntil } from "../../e2e/support/poll.js";
import type { E2eTarget } from "../../e2e/support/e2eTarget.js";
import { mapConcurrently } from "./concurrency.js";
import { sendAsClient } from "./e3Counter.js";
import type { FigureValue } from "./figures.js";

/**
 * The work a crash interrupts: an E2 backup of 200 files in the middle of its fan-out, an approval
 * waiting for its decision, E3 operations in flight through the endpoint and signals queued for a
 * counter entity. `startWorkload` brings all of it to that point; `verifyWorkload`, after the
 * restart, finishes it and checks that every instance completed with the right result and that
 * nothing was lost or applied twice.
 */

const BACKUP_CONTAINER = "backups";
const FILES = 200;
/** Big enough that 200 uploads take a while on this machine, so a crash can land in the middle. */
const FILE_BYTES = 48 * 1024;
const E3_OPERATIONS = 60;
const COUNTER_SIGNALS = 30;
/** After a crash the restarted host waits out the killed one's leases (5 s in these files) first. */
const RECOVERY_TIMEOUT_MS = 180_000;

export interface Workload {
  workDir: string;
  backupRoot: string;
  backupBytes: number;
  backup: CheckStatusPayload;
  approval: CheckStatusPayload;
  counterId: string;
  counter: CheckStatusPayload;
  /** The Idempotency-Keys of the E3 operations, all incr; some in flight when the host dies. */
  e3Keys: string[];
  /** Settles once every in-flight request has an answer or an error (the host died under it). */
  e3InFlight: Promise<(HttpResult | Error)[]>;
  entityId: string;
  entityTotal: number;
  /** Blobs already in the container when the crash came: more than none, fewer than all. */
  blobsAtCrash: number;
}

export function backupContainer(connectionString: string): ContainerClient {
  return BlobServiceClient.fromConnectionString(connectionString).getContainerClient(BACKUP_CONTAINER);
}

async function blobCount(connectionString: string, prefix: string): Promise<number> {
  let count = 0;
  // The container appears with the first upload.
  if (!(await backupContainer(connectionString).exists())) return 0;
  for await (const blob of backupContainer(connectionString).listBlobsFlat({ prefix: `${prefix}/` })) {
    if (blob.name !== "") count += 1;
  }
  return count;
}

/** Starts everything and returns once the backup is part-way through its uploads: the moment to crash. */
export async function startWorkload(target: E2eTarget, connectionString: string): Promise<Workload> {
  const workDir = await mkdtemp(path.join(tmpdir(), "reliability-crash-"));
  const backupRoot = path.join(workDir, uniqueId("site"));
  await mkdir(backupRoot);
  for (let index = 0; index < FILES; index += 1) {
    await writeFile(path.join(backupRoot, `file-${String(index).padStart(3, "0")}.bin`), Buffer.alloc(FILE_BYTES, index % 256));
  }

  const approval = await startAndCheck(target, "Approval", { json: { amount: 1_200, requester: "ana", approver: "ben" } });
  await waitForStatus(approval.statusQueryGetUri, "the approval to wait", (seen) => (seen.customStatus as { stage?: unknown } | null)?.stage === "awaiting-decision");

  const counterId = uniqueId("crash-e3");
  const counter = await startAndCheck(target, "E3_Counter", { instanceId: counterId });
  await waitForStatus(counter.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running" && seen.customStatus !== null);

  const entityId = uniqueId("crash-entity");
  const amounts = Array.from({ length: COUNTER_SIGNALS }, (_, index) => index + 1);
  for (const answer of await Promise.all(amounts.map((amount) => post(counterUrl(target, [entityId, "add"], { value: String(amount) }))))) {
    expect(answer.status, describeResult(answer)).toBe(202);
  }

  const e3Keys = Array.from({ length: E3_OPERATIONS }, (_, index) => `crash-${index}`);
  // Not awaited: these are in flight when the host dies; a request it took down rejects.
  const e3InFlight = Promise.all(
    e3Keys.map((key) =>
      post(`${e3CounterUrl(target, counterId)}/incr`, { headers: { "Idempotency-Key": key } }).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      ),
    ),
  );

  const backup = await startAndCheck(target, "E2_BackupSiteContent", { data: JSON.stringify(backupRoot) });
  const prefix = path.basename(backupRoot);
  const blobsAtCrash = await pollUntil(
    "the backup to be part-way through its uploads",
    () => blobCount(connectionString, prefix),
    (count) => count > 0,
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return {
    workDir,
    backupRoot,
    backupBytes: FILES * FILE_BYTES,
    backup,
    approval,
    counterId,
    counter,
    e3Keys,
    e3InFlight,
    entityId,
    entityTotal: amounts.reduce((total, amount) => total + amount, 0),
    blobsAtCrash,
  };
}

/**
 * After the restart: finishes what the crash interrupted and asserts every result. Returns the
 * figures for README; everything in them was measured here.
 */
export async function verifyWorkload(target: E2eTarget, connectionString: string, workload: Workload): Promise<Record<string, FigureValue>> {
  const { backup, approval, counter, counterId, e3Keys, entityId, entityTotal } = workload;
  // The crash came before the backup finished; asserted now, when its status can be read again.
  expect(workload.blobsAtCrash).toBeGreaterThan(0);
  expect(workload.blobsAtCrash).toBeLessThan(FILES);

  const inFlightAnswers = await workload.e3InFlight;
  const diedInFlight = inFlightAnswers.filter((answer) => answer instanceof Error).length;

  // The backup resumes where its last commit left it.
  const backedUp = await waitForCompletion(backup.statusQueryGetUri, { timeoutMs: RECOVERY_TIMEOUT_MS });
  expect(backedUp.output).toBe(workload.backupBytes);
  const blobs = await blobCount(connectionString, path.basename(workload.backupRoot));
  expect(blobs).toBe(FILES);

  // The approval is still waiting, and the decision completes it.
  expect((await readStatus(approval.statusQueryGetUri))?.runtimeStatus).toBe("Running");
  expectJson(await decide(target, approval.id, { approved: true, by: "ben" }), 202, { instanceId: approval.id, approved: true, by: "ben" });
  const decided = await waitForCompletion(approval.statusQueryGetUri, { timeoutMs: RECOVERY_TIMEOUT_MS });
  expect(decided.output).toMatchObject({ status: "approved", decidedBy: "ben", amount: 1_200, requester: "ana" });

  // Every E3 operation, repeated with its key as a client would after losing its answer, is
  // confirmed, and each was applied once: the answers are 1..N, each once, and the value N.
  const confirmations = await mapConcurrently(e3Keys, 20, (key) => sendAsClient(target, counterId, "incr", key));
  const values = confirmations.map(({ final }) => {
    expect(final.status, describeResult(final)).toBe(200);
    return jsonObject(final).value as number;
  });
  expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: e3Keys.length }, (_, index) => index + 1));
  expectJson(await get(e3CounterUrl(target, counterId)), 200, { instanceId: counterId, value: e3Keys.length, runtimeStatus: "Running" });
  const end = await post(`${e3CounterUrl(target, counterId)}/end`);
  expectJson(end, 200, { instanceId: counterId, value: e3Keys.length, operationId: jsonObject(end).operationId });
  const counterEnded = await waitForCompletion(counter.statusQueryGetUri, { timeoutMs: RECOVERY_TIMEOUT_MS });
  expect(counterEnded.output).toBe(e3Keys.length);

  // The entity's signals, queued before the crash, are applied once each.
  await pollUntil(
    `counter ${entityId} to reach ${entityTotal}`,
    async () => jsonObject(await get(counterUrl(target, [entityId]))).value,
    (value) => value === entityTotal,
    { timeoutMs: RECOVERY_TIMEOUT_MS },
  );
  // Read-your-writes through the entity: nothing is still waiting to be applied a second time.
  expectJson(await post(counterUrl(target, [entityId, "add"], { value: "0", wait: "true" })), 200, { id: entityId, operation: "add", value: entityTotal });

  await rm(workload.workDir, { recursive: true, force: true });
  const completed = [backedUp, decided, counterEnded].filter((status) => status.runtimeStatus === "Completed").length;
  return {
    instances: 3,
    survived: completed,
    "blobs at crash": workload.blobsAtCrash,
    blobs,
    "E3 ops": e3Keys.length,
    "E3 requests the crash cut off": diedInFlight,
    "E3 value": counterEnded.output as number,
    "applied twice": values.length - new Set(values).size,
    "entity value": entityTotal,
  };
}
