import { beforeAll, describe, expect, it } from "vitest";
import { FILES_PER_BATCH } from "../../src/logic/backup.js";
import { ActivityNames, OrchestratorNames } from "../../src/names.js";
import { COPY_RETRY, type BackupBatch, type FileToCopy } from "../../src/functions/backupSiteContent.js";
import { loadApp } from "../support/functionsHost.js";
import {
  ActionType,
  asSent,
  EventType,
  isActivity,
  OrchestrationRun,
  type Action,
  type Delivery,
  type ScheduledTask,
} from "../support/orchestrationReplay.js";

const ROOT = "/srv/site";

const isSubOrchestration = (action: Action): boolean => action.actionType === ActionType.CallSubOrchestrator;
const isCopy = isActivity(ActivityNames.copyFileToBlob);

function fileNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `dir${index % 7}/file-${String(index).padStart(4, "0")}.txt`);
}

describe(`${OrchestratorNames.backupSiteContent} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("lists the files, then backs them up in one sub-orchestration per batch and adds up the bytes", async () => {
    expect(FILES_PER_BATCH).toBe(200);
    const files = fileNames(450);
    const run = new OrchestrationRun(OrchestratorNames.backupSiteContent, ROOT);

    const listing = await run.start();
    expect(listing.isDone).toBe(false);
    expect(listing.actions).toEqual([{ actionType: ActionType.CallActivity, functionName: ActivityNames.getFileList, input: JSON.stringify(ROOT) }]);

    const fanOut = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.getFileList)), files));
    expect(fanOut.isDone).toBe(false);
    // One Task.all: every sub-orchestration is scheduled in the same episode.
    expect(fanOut.actions.map((action) => action.actionType)).toEqual([ActionType.CallActivity, ActionType.WhenAll]);
    expect(fanOut.newTasks).toHaveLength(3);
    expect(fanOut.newTasks.every((task) => isSubOrchestration(task.action))).toBe(true);
    expect(fanOut.newTasks.map((task) => task.action.functionName)).toEqual([
      OrchestratorNames.backupBatch,
      OrchestratorNames.backupBatch,
      OrchestratorNames.backupBatch,
    ]);
    const inputs = fanOut.newTasks.map((task) => task.action.input as BackupBatch);
    expect(inputs.map((input) => input.files.length)).toEqual([200, 200, 50]);
    expect(inputs.every((input) => input.rootDirectory === ROOT)).toBe(true);
    expect(inputs.flatMap((input) => input.files)).toEqual(files);

    const [first, second, third] = fanOut.newTasks as [ScheduledTask, ScheduledTask, ScheduledTask];
    const partial = await run.deliver(run.subOrchestrationCompleted(second, 2_000), run.subOrchestrationCompleted(first, 1_000));
    expect(partial.isDone).toBe(false);
    expect(partial.newTasks).toEqual([]);

    const done = await run.deliver(run.subOrchestrationCompleted(third, 345));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toBe(3_345);
    expect(done.newTasks).toEqual([]);
  });

  it("answers 0 without any sub-orchestration when the directory has no files", async () => {
    const run = new OrchestrationRun(OrchestratorNames.backupSiteContent, ROOT);
    await run.start();

    const done = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.getFileList)), []));

    // Task.all of nothing resolves at once, so no WhenAll (and no sub-orchestration) is emitted.
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toBe(0);
    expect(done.newTasks).toEqual([]);
    expect(run.tasks.some((task) => isSubOrchestration(task.action))).toBe(false);
  });

  it("fails with the activity's message when the directory does not exist", async () => {
    const run = new OrchestrationRun(OrchestratorNames.backupSiteContent, "/no/such/dir");
    await run.start();

    const result = await run.deliver(
      run.activityFailed(run.task(isActivity(ActivityNames.getFileList)), "The directory '/no/such/dir' does not exist."),
    );

    expect(result.failed).toBe(true);
    expect(result.isDone).toBe(true);
    expect(result.error).toContain("The directory '/no/such/dir' does not exist.");
    expect(result.newTasks).toEqual([]);
  });

  it("fails the instance with a clear message when the input is not a directory path", async () => {
    const run = new OrchestrationRun(OrchestratorNames.backupSiteContent, 5);

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("The input must be a directory path as a JSON string, not a number.");
    expect(result.actions).toEqual([]);
  });
});

describe(`${OrchestratorNames.backupBatch} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("copies every file of its batch in parallel, all scheduled in one episode", async () => {
    const files = ["a.txt", "css/site.css", "img/logo.png", "index.html"];
    const run = new OrchestrationRun(OrchestratorNames.backupBatch, { rootDirectory: ROOT, files } satisfies BackupBatch);

    const fanOut = await run.start();

    expect(fanOut.isDone).toBe(false);
    expect(fanOut.actions).toHaveLength(1);
    expect(fanOut.actions[0]?.actionType).toBe(ActionType.WhenAll);
    expect(fanOut.newTasks.map((task) => task.sequence)).toEqual([0, 1, 2, 3]);
    expect(fanOut.newTasks.every((task) => isCopy(task.action))).toBe(true);
    expect(fanOut.newTasks.map((task) => task.action.input)).toEqual(
      files.map((file): FileToCopy => ({ rootDirectory: ROOT, file })),
    );
  });

  it("calls every copy with retries: 3 attempts, 5 s then 10 s apart", async () => {
    expect(COPY_RETRY).toEqual({ firstRetryIntervalMs: 5_000, maxAttempts: 3, backoffCoefficient: 2 });
    const run = new OrchestrationRun(OrchestratorNames.backupBatch, { rootDirectory: ROOT, files: ["a.txt", "b.txt"] } satisfies BackupBatch);

    const fanOut = await run.start();

    // As the extension receives it: it schedules the retries and the timers between them.
    const retryOptions = { firstRetryIntervalInMilliseconds: 5_000, maxNumberOfAttempts: 3, backoffCoefficient: 2 };
    expect(asSent(fanOut.newTasks.map((task) => task.action))).toEqual([
      { actionType: ActionType.CallActivityWithRetry, functionName: ActivityNames.copyFileToBlob, retryOptions, input: { rootDirectory: ROOT, file: "a.txt" } },
      { actionType: ActionType.CallActivityWithRetry, functionName: ActivityNames.copyFileToBlob, retryOptions, input: { rootDirectory: ROOT, file: "b.txt" } },
    ]);
    expect(ActionType.CallActivityWithRetry).toBe(1);
  });

  it("adds up the copied bytes when the completions arrive out of order in two batches", async () => {
    const files = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"];
    const sizes = [10, 200, 3_000, 40_000, 500_000];
    const run = new OrchestrationRun(OrchestratorNames.backupBatch, { rootDirectory: ROOT, files } satisfies BackupBatch);
    const { newTasks } = await run.start();
    const completion = (index: number) => {
      const task = newTasks[index];
      if (task === undefined) throw new Error(`No copy task ${index}.`);
      return run.activityCompleted(task, sizes[index]);
    };

    const partial = await run.deliver(completion(3), completion(0), completion(4));
    expect(partial.isDone).toBe(false);
    expect(partial.newTasks).toEqual([]);

    const done = await run.deliver(completion(2), completion(1));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toBe(543_210);
    expect(done.newTasks).toEqual([]);
    expect(run.tasks).toHaveLength(files.length);
  });

  /*
   * A retry as the extension records it: the failure (TaskFailed), a durable timer for the retry
   * interval (TimerCreated, then TimerFired), and the activity scheduled again (TaskScheduled),
   * each taking the next task id after the batch's own copies. The SDK numbers its side the same
   * way, so the test names those ids; TimerCreated and TaskScheduled carry nothing the SDK reads.
   */
  const retryTimerFired = (timerId: number): Delivery => ({ EventType: EventType.TimerFired, TimerId: timerId, FireAt: "2026-01-05T09:00:05.000Z" });
  const retriedCopyCompleted = (taskId: number, bytes: number): Delivery => ({
    EventType: EventType.TaskCompleted,
    TaskScheduledId: taskId,
    Result: JSON.stringify(bytes),
  });
  const retriedCopyFailed = (taskId: number, message: string): Delivery => ({
    EventType: EventType.TaskFailed,
    TaskScheduledId: taskId,
    Reason: message,
    Details: "",
  });

  it("retries a copy that fails once and still adds up every file's bytes", async () => {
    const files = ["a.txt", "b.txt", "c.txt"];
    const run = new OrchestrationRun(OrchestratorNames.backupBatch, { rootDirectory: ROOT, files } satisfies BackupBatch);
    const { newTasks } = await run.start();
    const [a, b, c] = newTasks as [ScheduledTask, ScheduledTask, ScheduledTask];

    // b's first attempt fails (a throttled upload); a and c succeed.
    const afterFailure = await run.deliver(run.activityCompleted(a, 10), run.activityFailed(b, "503 Server Busy"), run.activityCompleted(c, 300));
    expect(afterFailure.failed).toBe(false);
    expect(afterFailure.isDone).toBe(false);
    // The SDK schedules nothing itself: the retry and its timer are the extension's (task ids 3 and 4).
    expect(afterFailure.newTasks).toEqual([]);

    const retried = await run.deliver(retryTimerFired(3));
    expect(retried.isDone).toBe(false);

    const done = await run.deliver(retriedCopyCompleted(4, 2_000));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toBe(2_310);
  });

  it("fails the batch with the copy's error once its third attempt fails", async () => {
    const run = new OrchestrationRun(OrchestratorNames.backupBatch, { rootDirectory: ROOT, files: ["a.txt", "b.txt"] } satisfies BackupBatch);
    const { newTasks } = await run.start();
    const [a, b] = newTasks as [ScheduledTask, ScheduledTask];
    await run.deliver(run.activityCompleted(a, 10), run.activityFailed(b, "attempt 1 failed"));

    // Ids after the copies' 0 and 1: attempt 2 (task 3, after timer 2) fails, then attempt 3
    // (task 5, after timer 4) fails.
    const second = await run.deliver(retryTimerFired(2), retriedCopyFailed(3, "attempt 2 failed"));
    expect(second.failed).toBe(false);
    const third = await run.deliver(retryTimerFired(4), retriedCopyFailed(5, "attempt 3 failed"));
    expect(third.failed).toBe(false);
    expect(third.isDone).toBe(false);

    // The extension still fires the last retry timer; with no attempts left the SDK fails the task.
    const failed = await run.deliver(retryTimerFired(6));
    expect(failed.failed).toBe(true);
    expect(failed.isDone).toBe(true);
    expect(failed.error).toContain("attempt 3 failed");
  });
});
