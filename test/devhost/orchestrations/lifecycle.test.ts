import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

df.app.activity("Life_Echo", { handler: (input: unknown) => input });
df.app.activity("Life_Other", { handler: (input: unknown) => input });

df.app.orchestration("Life_WaitForGo", function* (context: OrchestrationContext) {
  const go: unknown = yield context.df.waitForExternalEvent("Go");
  context.df.setCustomStatus("got go");
  return { go };
});

df.app.orchestration("Life_Throws", function* (context: OrchestrationContext) {
  yield context.df.callActivity("Life_Echo", 1);
  context.df.setCustomStatus({ step: "about to fail" });
  throw new Error("kaboom");
});

/** Which code runs is a module flag: changing it between episodes is the code change a deployment makes. */
let variant: "original" | "renamed" | "shortened" = "original";
df.app.orchestration("Life_Changing", function* (context: OrchestrationContext) {
  if (variant === "shortened") return "nothing";
  const first: unknown = yield context.df.callActivity(variant === "original" ? "Life_Echo" : "Life_Other", "a");
  const second: unknown = yield context.df.callActivity("Life_Echo", "b");
  return [first, second];
});

df.app.orchestration("Life_MissingActivity", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.callActivity("Life_NoSuchActivity", 1);
  return result;
});

/** Passes a task it already yielded to a new Task.any (azure-functions-durable-js#574). */
df.app.orchestration("Life_Reused", function* (context: OrchestrationContext) {
  const echo = context.df.callActivity("Life_Echo", "x");
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
  yield context.df.Task.any([echo, timer]);
  const result: unknown = yield context.df.Task.any([echo, context.df.waitForExternalEvent("Never")]);
  return result;
});

df.app.orchestration("Life_BigInt", function* (context: OrchestrationContext) {
  yield context.df.createTimer(context.df.currentUtcDateTime);
  return 1n;
});

df.app.orchestration("Life_Lock", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.lock(new df.EntityId("Counter", "a"));
  return result;
});

const app = useRegistryInvoker();

describe("terminate", () => {
  it("ends the instance Terminated with the reason as output, without running the orchestrator", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_WaitForGo");
    await hub.runUntilIdle();
    const invocations = app().invocations.length;

    hub.terminate(id, "no longer needed");
    const late = hub.raiseEvent(id, "Go", 1);
    await hub.runUntilIdle();

    const instance = hub.instance(id);
    expect(app().invocations.length).toBe(invocations);
    expect(instance.status.runtimeStatus).toBe("Terminated");
    expect(hub.output(id)).toBe("no longer needed");
    expect(instance.history.at(-1)).toMatchObject({ EventType: EventType.ExecutionTerminated, Input: '"no longer needed"' });
    expect(instance.episodes.at(-1)?.droppedMessageIds).toEqual([late]);
    expect(instance.episodes.at(-1)?.outbox).toEqual([]);
  });
});

describe("start", () => {
  it("applies an event that arrived with the start in the same batch", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_WaitForGo");
    hub.raiseEvent(id, "Go", "early");

    await hub.runEpisodes();

    expect(hub.instance(id).episodes).toHaveLength(1);
    expect(hub.output(id)).toEqual({ go: "early" });
    expect(hub.instance(id).status.customStatus).toBe('"got go"');
  });
});

describe("suspend and resume", () => {
  it("defers events while suspended and applies them after the resume", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_WaitForGo");
    await hub.runUntilIdle();

    hub.suspend(id);
    await hub.runUntilIdle();
    expect(hub.instance(id).status.runtimeStatus).toBe("Suspended");
    const go = hub.raiseEvent(id, "Go", "later");
    await hub.runUntilIdle();
    expect(hub.instance(id).status.runtimeStatus).toBe("Suspended");
    expect(hub.instance(id).episodes.at(-1)?.deferredMessageIds).toEqual([go]);
    expect(hub.instance(id).parked).toHaveLength(1);

    hub.resume(id);
    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toEqual({ go: "later" });
    expect(hub.instance(id).history.map((event) => event.EventType).filter((type) => type >= EventType.ExecutionSuspended)).toEqual([
      EventType.ExecutionSuspended,
      EventType.ExecutionResumed,
    ]);
  });
});

describe("failures", () => {
  it("an unhandled error fails the instance with the orchestrator's message, as the extension reports it", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Throws");

    await hub.runUntilIdle();

    const instance = hub.instance(id);
    expect(instance.status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe("Orchestrator function 'Life_Throws' failed: kaboom");
    expect(instance.status.customStatus).toBe('{"step":"about to fail"}');
    expect(instance.status.completedTime).toBe(T0.toISOString());
    expect(instance.history.at(-1)).toMatchObject({
      EventType: EventType.ExecutionFailed,
      FailureDetails: { ErrorType: "OrchestrationFailureException", ErrorMessage: "Orchestrator function 'Life_Throws' failed: kaboom" },
    });
  });

  it("fails an orchestrator whose code changed under a running instance, naming the task, the expected and the actual action", async () => {
    variant = "original";
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Changing");
    await hub.runEpisodes();
    await hub.runWorkItems();

    variant = "renamed";
    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe(
      "Non-deterministic workflow detected: orchestrator 'Life_Changing' no longer matches its history at task 0: the history has " +
        "CallActivity 'Life_Echo' there, but the replay scheduled CallActivity 'Life_Other'. An orchestrator's code must not change while instances of it are running.",
    );
    expect(hub.instance(id).history.at(-1)?.FailureDetails).toMatchObject({ ErrorType: "NonDeterministicOrchestrationException" });
    expect(hub.workItems).toEqual([]);
  });

  it("fails an orchestrator that no longer schedules a task its history has", async () => {
    variant = "original";
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Changing");
    await hub.runEpisodes();
    await hub.runWorkItems();

    variant = "shortened";
    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toContain("at task 0: the history has CallActivity 'Life_Echo' there, but the replay scheduled only 0 of its 1 tasks.");
  });

  it("fails the instance when it calls an activity that does not exist, as the extension does", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_MissingActivity");

    await hub.runUntilIdle();

    expect(hub.output(id)).toBe("The function 'Life_NoSuchActivity' doesn't exist, is disabled, or is not an activity function.");
    expect(hub.sent.filter((item) => item.to === "workItems")).toEqual([]);
  });

  it("fails the instance when a start names an orchestrator that does not exist", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_NoSuchOrchestrator");

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe("The function 'Life_NoSuchOrchestrator' doesn't exist, is disabled, or is not an orchestrator function.");
  });

  it("fails, instead of waiting forever, when a task already yielded goes into a new Task.any", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Reused");
    await hub.runEpisodes();
    // The timer wins: the activity's result is not delivered yet.
    hub.workItems = [];
    hub.advance(60_000);
    hub.fireDueTimers();

    await hub.runEpisodes();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toContain("passed a task it had already yielded (CallActivity 'Life_Echo') to a new Task.all or Task.any");
    expect(hub.output(id)).toContain("azure-functions-durable-js#574");
  });

  it("fails the instance when the orchestrator's state cannot be serialised, as the worker fails the invocation", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_BigInt");

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toBe("Orchestrator function 'Life_BigInt' failed: Do not know how to serialize a BigInt");
  });

  it("fails an orchestrator that takes entity locks, saying the host does not support them", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Lock");

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Failed");
    expect(hub.output(id)).toContain("lock requires a Durable Functions extension that supports OOProc schema V4");
    expect(hub.output(id)).toContain("Entity locks are not supported by this host.");
  });
});

describe("redeliveries", () => {
  it("drops a second completion of a task that already completed", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Life_Changing");
    variant = "original";
    await hub.runEpisodes();
    await hub.runWorkItems();
    const completion = hub.control[0];
    if (completion?.kind !== "orchestration") throw new Error("Expected the activity's completion.");
    await hub.runEpisodes();

    hub.send({ ...completion, id: "a-duplicate-with-another-id" });
    await hub.runEpisodes();

    const episode = hub.instance(id).episodes.at(-1);
    expect(episode?.droppedMessageIds).toEqual(["a-duplicate-with-another-id"]);
    expect(episode?.newEvents).toEqual([]);
    expect(hub.instance(id).status.runtimeStatus).toBe("Running");
  });
});
