import { beforeAll, describe, expect, it } from "vitest";
import { ActivityNames, OrchestratorNames } from "../../src/names.js";
import { loadApp } from "../support/functionsHost.js";
import { ActionType, isActivity, OrchestrationRun, type Action } from "../support/orchestrationReplay.js";

/** Activity inputs that are strings reach the extension JSON-encoded. */
function cityOf(action: Action): unknown {
  return JSON.parse(action.input as string);
}

const isSayHello = isActivity(ActivityNames.sayHello);

describe(`${OrchestratorNames.helloSequence} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("greets Tokyo, Seattle and London one after another when started without input", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, undefined);

    const first = await run.start();
    expect(first.isDone).toBe(false);
    expect(first.actions).toEqual([{ actionType: ActionType.CallActivity, functionName: ActivityNames.sayHello, input: '"Tokyo"' }]);
    expect(first.newTasks.map((task) => cityOf(task.action))).toEqual(["Tokyo"]);

    const second = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Tokyo!"));
    expect(second.isDone).toBe(false);
    expect(second.newTasks.map((task) => cityOf(task.action))).toEqual(["Seattle"]);

    const third = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Seattle!"));
    expect(third.isDone).toBe(false);
    expect(third.newTasks.map((task) => cityOf(task.action))).toEqual(["London"]);

    const done = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello London!"));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.newTasks).toEqual([]);
    expect(done.output).toEqual(["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    expect(run.tasks.map((task) => [task.action.actionType, task.action.functionName, cityOf(task.action)])).toEqual([
      [ActionType.CallActivity, ActivityNames.sayHello, "Tokyo"],
      [ActionType.CallActivity, ActivityNames.sayHello, "Seattle"],
      [ActionType.CallActivity, ActivityNames.sayHello, "London"],
    ]);
  });

  it("greets the cities of a custom list in its order", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, ["Oslo", "Lima"]);

    const first = await run.start();
    expect(first.newTasks.map((task) => cityOf(task.action))).toEqual(["Oslo"]);
    const second = await run.deliver(run.activityCompleted(run.task(isSayHello), "Hello Oslo!"));
    expect(second.newTasks.map((task) => cityOf(task.action))).toEqual(["Lima"]);
    const done = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Lima!"));

    expect(done.isDone).toBe(true);
    expect(done.output).toEqual(["Hello Oslo!", "Hello Lima!"]);
    expect(run.tasks).toHaveLength(2);
  });

  it("fails the instance with a clear message when the input is not a list of cities", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, 5);

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.isDone).toBe(true);
    expect(result.error).toBe("The input must be a list of 1 to 20 city names.");
    expect(result.actions).toEqual([]);
  });

  it("fails the instance with a clear message when a city is not a name", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, ["Tokyo", ""]);

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toContain("Each city must be a non-empty string");
  });

  it("fails the orchestration with the activity's message when an activity fails", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, undefined);
    await run.start();
    await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Tokyo!"));

    const result = await run.deliver(run.activityFailed(run.lastTask(isSayHello), "E1_SayHello needs a city name."));

    expect(result.failed).toBe(true);
    expect(result.isDone).toBe(true);
    expect(result.error).toContain("E1_SayHello needs a city name.");
    expect(result.newTasks).toEqual([]);
  });

  it("replays already-scheduled activities without scheduling them again", async () => {
    const run = new OrchestrationRun(OrchestratorNames.helloSequence, undefined);
    await run.start();

    const second = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Tokyo!"));

    // The replay re-yields the Tokyo call, matched to its history; only Seattle is new.
    expect(second.newTasks).toHaveLength(1);
    expect(second.newTasks[0]).toMatchObject({ sequence: 1, action: { functionName: ActivityNames.sayHello, input: '"Seattle"' } });
    expect(second.actions.map(cityOf)).toEqual(["Tokyo", "Seattle"]);

    const third = await run.deliver(run.activityCompleted(run.lastTask(isSayHello), "Hello Seattle!"));
    expect(third.newTasks.map((task) => task.sequence)).toEqual([2]);
    expect(third.actions.map(cityOf)).toEqual(["Tokyo", "Seattle", "London"]);
  });
});
