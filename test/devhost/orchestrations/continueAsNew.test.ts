import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

/** Adds one "Add" event to its total per generation. */
df.app.orchestration("Can_Accumulate", function* (context: OrchestrationContext) {
  const total = context.df.getInput<number | null>() ?? 0;
  const amount = (yield context.df.waitForExternalEvent("Add")) as number;
  context.df.continueAsNew(total + amount);
});

/** E3_Counter's shape: an event or a quiet second, whichever comes first; quiet means continue as new. */
df.app.orchestration("Can_Idle", function* (context: OrchestrationContext) {
  const total = context.df.getInput<number | null>() ?? 0;
  const add = context.df.waitForExternalEvent("Add");
  const quiet = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
  const winner: unknown = yield context.df.Task.any([add, quiet]);
  if (winner === quiet) {
    context.df.continueAsNew(total);
    return;
  }
  quiet.cancel();
  context.df.continueAsNew(total + (add.result as number));
});

/** Continues as new at once until its input reaches 2. */
df.app.orchestration("Can_AtOnce", function* (context: OrchestrationContext) {
  const count = context.df.getInput<number>();
  if (count < 2) {
    context.df.continueAsNew(count + 1);
    return;
  }
  const value: unknown = yield context.df.waitForExternalEvent("Add");
  return value;
});

df.app.orchestration("Can_String", function* (context: OrchestrationContext) {
  const input = context.df.getInput<string | null>();
  if (input === null) {
    yield context.df.createTimer(context.df.currentUtcDateTime);
    context.df.continueAsNew("abc");
    return;
  }
  return input;
});

const app = useRegistryInvoker();

describe("ContinueAsNew", () => {
  it("drops the events of its batch the orchestrator did not take, and gives later ones to the new execution", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Can_Accumulate", 0);
    await hub.runEpisodes();
    const firstExecution = hub.instance(id).executionId;
    hub.raiseEvent(id, "Add", 1);
    const lost = hub.raiseEvent(id, "Add", 2);

    await hub.runEpisodes();

    const episode = hub.instance(id).episodes.at(-1);
    expect(episode?.instance.runtimeStatus).toBe("ContinuedAsNew");
    expect(episode?.droppedMessageIds).toEqual([lost]);
    expect(episode?.continuedAsNew?.newExecutionId).toMatch(/^[0-9a-f]{32}$/);
    // The dropped event is not in the old execution's history either.
    expect(hub.instance(id).history.filter((event) => event.EventType === EventType.EventRaised).map((event) => event.Input)).toEqual(["1"]);
    expect(hub.logger.lines.some((line) => line.level === "warning" && line.message.includes("events: Add"))).toBe(true);

    hub.raiseEvent(id, "Add", 5);
    await hub.runEpisodes();

    const instance = hub.instance(id);
    expect(instance.executionId).not.toBe(firstExecution);
    expect(instance.executionId).toBe(episode?.continuedAsNew?.newExecutionId);
    expect(instance.status.runtimeStatus).toBe("ContinuedAsNew");
    expect(instance.status.input).toBe("6");
    expect(instance.history.find((event) => event.EventType === EventType.ExecutionStarted)?.Input).toBe("1");
  });

  it("drops an event that arrives in the batch after the one that made the orchestrator continue, though a waiter was open", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Can_Idle", 10);
    await hub.runEpisodes();
    hub.advance(1000);
    hub.fireDueTimers();
    const lost = hub.raiseEvent(id, "Add", 5);

    await hub.runEpisodes();

    const episode = hub.instance(id).episodes.at(-1);
    expect(episode?.droppedMessageIds).toEqual([lost]);
    expect(episode?.instance.input).toBe("10");
    expect(app().invocations.some((invocation) => invocation.reason?.includes("ContinueAsNew") === true)).toBe(true);
  });

  it("keeps an event the orchestrator took before the timer in the same batch", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Can_Idle", 10);
    await hub.runEpisodes();
    const taken = hub.raiseEvent(id, "Add", 5);
    hub.advance(1000);
    hub.fireDueTimers();

    await hub.runEpisodes();

    const episode = hub.instance(id).episodes.at(-1);
    expect(episode?.instance.input).toBe("15");
    expect(episode?.droppedMessageIds).not.toContain(taken);
    // The timer's firing came after: unprocessed, dropped with the batch.
    expect(episode?.droppedMessageIds).toHaveLength(1);
    expect(hub.instance(id).history.filter((event) => event.EventType === EventType.TimerFired)).toEqual([]);
  });

  it("drops the events that came with the start of an execution that continues as new at once", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Can_AtOnce", 0);
    const lost = hub.raiseEvent(id, "Add", "early");

    await hub.runEpisodes();
    expect(hub.instance(id).episodes.at(-1)?.droppedMessageIds).toEqual([lost]);
    await hub.runUntilIdle();
    expect(hub.instance(id).status).toMatchObject({ runtimeStatus: "Running", input: "2" });
    hub.raiseEvent(id, "Add", "late");
    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe("late");
  });

  it("hands a string input to the next execution JSON-encoded twice, as the extension does", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Can_String");

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe('"abc"');
  });
});
