import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

const childRuns = new Map<string, number>();

df.app.orchestration("Sub_Child", function* (context: OrchestrationContext) {
  const { value, failUntil, key } = context.df.getInput<{ value: string; failUntil?: number; key?: string }>();
  const run = key === undefined ? 1 : (childRuns.get(key) ?? 0) + (context.df.isReplaying ? 0 : 1);
  if (key !== undefined) childRuns.set(key, run);
  yield context.df.createTimer(context.df.currentUtcDateTime);
  if (failUntil !== undefined && run < failUntil) throw new Error(`child run ${run} failed`);
  return { value, parent: context.df.parentInstanceId, self: context.df.instanceId };
});

df.app.orchestration("Sub_Parent", function* (context: OrchestrationContext) {
  const { childId } = context.df.getInput<{ childId?: string }>();
  const results: unknown = yield context.df.Task.all([
    context.df.callSubOrchestrator("Sub_Child", { value: "one" }, childId),
    context.df.callSubOrchestrator("Sub_Child", { value: "two" }),
  ]);
  return results;
});

df.app.orchestration("Sub_CatchesFailure", function* (context: OrchestrationContext) {
  try {
    yield context.df.callSubOrchestrator("Sub_Child", { value: "x", failUntil: 99, key: context.df.getInput<string>() });
    return "no failure";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
});

df.app.orchestration("Sub_Retries", function* (context: OrchestrationContext) {
  const retry = new df.RetryOptions(500, 3);
  const result: unknown = yield context.df.callSubOrchestratorWithRetry("Sub_Child", retry, { value: "r", failUntil: 2, key: context.df.getInput<string>() });
  return result;
});

df.app.orchestration("Sub_Waiter", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.waitForExternalEvent("Never");
  return result;
});

df.app.orchestration("Sub_ParentOfWaiter", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.callSubOrchestrator("Sub_Waiter", undefined, "doomed-child");
  return result;
});

df.app.orchestration("Sub_OwnId", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.callSubOrchestrator("Sub_Child", { value: "x" }, context.df.instanceId);
  return result;
});

const app = useRegistryInvoker();

describe("sub-orchestrations", () => {
  it("start with the parent reference, report back and complete the parent", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Sub_Parent", { childId: "chosen-child" });

    await hub.runUntilIdle();

    const generated = `${hub.instance(id).executionId}:1`;
    expect(hub.output(id)).toEqual([
      { value: "one", parent: id, self: "chosen-child" },
      { value: "two", parent: id, self: generated },
    ]);
    expect(hub.instance("chosen-child").status).toMatchObject({ runtimeStatus: "Completed", parentInstanceId: id, name: "Sub_Child" });
    expect(hub.instance(generated).history.find((event) => event.EventType === EventType.ExecutionStarted)).toMatchObject({
      ParentInstanceId: id,
      ParentExecutionId: hub.instance(id).executionId,
      ParentTaskScheduledId: 1,
    });
    expect(hub.events(id, EventType.SubOrchestrationInstanceCreated).map((event) => [event.TaskScheduledId, event.InstanceId])).toEqual([
      [0, "chosen-child"],
      [1, generated],
    ]);
  });

  it("a child's failure fails the parent's task with the extension's reason and details", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Sub_CatchesFailure", randomUUID());

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe("Orchestrator function 'Sub_Child' failed: child run 1 failed \n Message: child run 1 failed, StackTrace: ");
  });

  it("retries a failed child as a new instance after the retry interval", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Sub_Retries", randomUUID());

    await hub.runUntilIdle();

    const executionId = hub.instance(id).executionId;
    expect(hub.output(id)).toEqual({ value: "r", parent: id, self: `${executionId}:2` });
    expect(hub.instance(`${executionId}:0`).status.runtimeStatus).toBe("Failed");
    expect(hub.events(id, EventType.TimerCreated).map((event) => event.FireAt)).toEqual([new Date(T0.getTime() + 500).toISOString()]);
  });

  it("refuses a child id equal to the parent's, as the extension does", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Sub_OwnId");

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe("The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.");
  });

  it("a terminated child fails the parent's task", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Sub_ParentOfWaiter");
    await hub.runUntilIdle();
    expect(hub.instance("doomed-child").status.runtimeStatus).toBe("Running");

    hub.terminate("doomed-child", "stop");
    await hub.runUntilIdle();

    expect(hub.instance("doomed-child").status.runtimeStatus).toBe("Terminated");
    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe("Orchestrator function 'Sub_ParentOfWaiter' failed: The orchestration was terminated: stop \n ");
  });
});
