import { beforeAll, describe, expect, it } from "vitest";
import { EntityNames, OrchestratorNames } from "../../src/names.js";
import { loadApp } from "../support/functionsHost.js";
import { ActionType, OrchestrationRun, type Action, type ScheduledTask } from "../support/orchestrationReplay.js";

const isEntityCall = (action: Action): boolean => action.actionType === ActionType.CallEntity;

async function startCall(input: { id: string; operation: string; amount?: number }): Promise<{ run: OrchestrationRun; call: ScheduledTask }> {
  const run = new OrchestrationRun(OrchestratorNames.counterEntityCall, input);
  await run.start();
  return { run, call: run.task(isEntityCall) };
}

describe(`${OrchestratorNames.counterEntityCall} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("calls the Counter entity with the operation and amount", async () => {
    const run = new OrchestrationRun(OrchestratorNames.counterEntityCall, { id: "Orders-7", operation: "add", amount: 5 });

    const result = await run.start();

    expect(result.isDone).toBe(false);
    expect(result.actions).toEqual([
      { actionType: ActionType.CallEntity, instanceId: `@${EntityNames.counter.toLowerCase()}@Orders-7`, operation: "add", input: 5 },
    ]);
    expect(result.actions[0]?.instanceId).toBe("@counter@Orders-7");
    expect(result.newTasks).toHaveLength(1);
  });

  it("calls without an input when no amount is given", async () => {
    const { call } = await startCall({ id: "counter", operation: "reset" });

    expect(call.action).toEqual({ actionType: ActionType.CallEntity, instanceId: "@counter@counter", operation: "reset" });
    expect(call.action.input).toBeUndefined();
  });

  it("returns ok with the value the entity answered", async () => {
    const { run, call } = await startCall({ id: "counter", operation: "add", amount: 5 });

    const done = await run.deliver(run.entityResponded(call, 12));

    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual({ ok: true, value: 12 });
    expect(done.newTasks).toEqual([]);
  });

  it("returns ok with 0 after a reset", async () => {
    const { run, call } = await startCall({ id: "counter", operation: "reset" });

    const done = await run.deliver(run.entityResponded(call, 0));

    expect(done.output).toEqual({ ok: true, value: 0 });
  });

  it("returns not ok with the entity's message when the entity refused the operation, without failing", async () => {
    const { run, call } = await startCall({ id: "counter", operation: "add", amount: 1 });
    const refusal = `add refused: Adding 1 to ${Number.MAX_SAFE_INTEGER} would leave the safe integer range (±${Number.MAX_SAFE_INTEGER}).`;

    const done = await run.deliver(run.entityResponded(call, undefined, refusal));

    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual({ ok: false, reason: refusal });
  });

  it("waits, without scheduling anything else, until the entity answers", async () => {
    const { run } = await startCall({ id: "counter", operation: "add", amount: 2 });

    const unrelated = await run.deliver(run.eventRaised("SomethingElse", { x: 1 }));

    expect(unrelated.isDone).toBe(false);
    expect(unrelated.newTasks).toEqual([]);
    expect(unrelated.actions).toHaveLength(1);
  });
});
