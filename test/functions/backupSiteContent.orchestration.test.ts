import { beforeAll, describe, expect, it } from "vitest";
import { FILES_PER_BATCH } from "../../src/logic/backup.js";
import { ActivityNames, OrchestratorNames } from "../../src/names.js";
import type { BackupBatch, FileToCopy } from "../../src/functions/backupSiteContent.js";
import { loadApp } from "../support/functionsHost.js";
import { ActionType, isActivity, OrchestrationRun, type Action, type ScheduledTask } from "../support/orchestrationReplay.js";

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
});
