import * as df from "durable-functions";
import type { EntityContext, OrchestrationContext } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { entityInstanceId, type OrchestrationMessage } from "../../../devhost/protocol/messages.js";
import { EntityNames, OrchestratorNames } from "../../../src/names.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

/** Forwards "relay" to the Ent_Sink entity of the same key, as a signal. */
df.app.entity("Ent_Relay", (context: EntityContext<number>) => {
  const forwarded = (context.df.getState() ?? 0) + 1;
  context.df.setState(forwarded);
  context.df.signalEntity(new df.EntityId("Ent_Sink", context.df.entityKey), "store", context.df.getInput());
});

df.app.entity("Ent_Sink", (context: EntityContext<unknown[]>) => {
  if (context.df.operationName === "fail") throw new Error("the sink refuses");
  context.df.setState([...(context.df.getState() ?? []), context.df.getInput()]);
  context.df.return(context.df.getState()?.length);
});

df.app.orchestration("Ent_CallSink", function* (context: OrchestrationContext) {
  const operation = context.df.getInput<string>();
  try {
    return { ok: (yield context.df.callEntity(new df.EntityId("Ent_Sink", "k"), operation, "from orchestration")) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
});

/** A signal takes a number too: the call after it must get the next one. */
df.app.orchestration("Ent_SignalThenCall", function* (context: OrchestrationContext) {
  context.df.signalEntity(new df.EntityId(EntityNames.counter, "signalled"), "add", 2);
  const value: unknown = yield context.df.callEntity(new df.EntityId(EntityNames.counter, "signalled"), "get");
  return value;
});

df.app.orchestration("Ent_CallsUnknown", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.callEntity(new df.EntityId("Ent_Nobody", "k"), "get");
  return result;
});

const app = useRegistryInvoker();

describe("entities", () => {
  it("CounterEntityCall gets the Counter's answer, and the Counter keeps its state", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const first = hub.startOrchestration(OrchestratorNames.counterEntityCall, { id: "orders", operation: "add", amount: 5 });
    await hub.runUntilIdle();
    const second = hub.startOrchestration(OrchestratorNames.counterEntityCall, { id: "orders", operation: "add", amount: 3 });
    await hub.runUntilIdle();

    expect(hub.output(first)).toEqual({ ok: true, value: 5 });
    expect(hub.output(second)).toEqual({ ok: true, value: 8 });
    expect(hub.entityRecords.get("@counter@orders")).toMatchObject({ exists: true, state: "8" });
    const sent = hub.events(first, EventType.EventSent)[0];
    expect(sent).toMatchObject({ InstanceId: "@counter@orders", TaskScheduledId: 0 });
    const raised = hub.events(first, EventType.EventRaised)[0];
    expect(JSON.parse(raised?.Input ?? "null")).toEqual({ result: "5" });
    expect(raised?.Name).toBe((JSON.parse(sent?.Input ?? "{}") as { id?: string }).id);
  });

  it("a refused Counter operation answers the caller with its error and leaves the state", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    hub.signalEntity(EntityNames.counter, "big", "add", Number.MAX_SAFE_INTEGER);
    await hub.runUntilIdle();
    const id = hub.startOrchestration(OrchestratorNames.counterEntityCall, { id: "big", operation: "add", amount: 1 });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ ok: false, reason: expect.stringMatching(/^add refused: /) as unknown });
    expect(hub.entityRecords.get("@counter@big")?.state).toBe(String(Number.MAX_SAFE_INTEGER));
    const raised = hub.events(id, EventType.EventRaised)[0];
    expect(JSON.parse(raised?.Input ?? "null")).toMatchObject({ exceptionType: "Error" });
  });

  it("a plain Error thrown by an entity reaches the caller as the SDK serialises it ('{}')", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Ent_CallSink", "fail");

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ error: "[object Object]" });
    expect(hub.logger.lines).toContainEqual({ level: "warning", message: "@ent_sink@k: operation 'fail' failed: {}" });
  });

  it("an entity's signal to another entity is delivered", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    hub.signalEntity("Ent_Relay", "k2", "relay", "hello");
    hub.signalEntity("Ent_Relay", "k2", "relay", "world");

    await hub.runUntilIdle();

    expect(hub.entityRecords.get("@ent_relay@k2")?.state).toBe("2");
    expect(hub.entityRecords.get("@ent_sink@k2")?.state).toBe('["hello","world"]');
    const signalIds = hub.sent.flatMap((item) => (item.to === "control" && item.message.kind === "entity" ? [item.message.id] : []));
    expect(new Set(signalIds).size).toBe(2);
  });

  it("an orchestration's signal takes a sequence number before the call that follows it", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Ent_SignalThenCall");

    await hub.runUntilIdle();

    expect(hub.output(id)).toBe(2);
    expect(hub.events(id, EventType.EventSent).map((event) => [event.TaskScheduledId, event.ActionType])).toEqual([
      [0, 9],
      [1, 7],
    ]);
  });

  it("an orchestration calling an entity that is not registered fails, as the extension refuses the call", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Ent_CallsUnknown");

    await hub.runUntilIdle();

    expect(hub.output(id)).toBe("The function 'ent_nobody' doesn't exist, is disabled, or is not an entity function.");
  });

  it("operations for an entity that is not registered: callers get an error, signals are dropped with a log", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const caller = { instanceId: "caller", executionId: "exec" };

    const result = await hub.entities.runBatch({
      instanceId: entityInstanceId("Nobody", "k"),
      messages: [
        { kind: "entity", id: "m1", instanceId: "@nobody@k", operation: "get", isSignal: false, requestId: "r1", caller },
        { kind: "entity", id: "m2", instanceId: "@nobody@k", operation: "set", input: "1", isSignal: true },
      ],
      now: T0,
    });

    expect(result.exists).toBe(false);
    expect(result.outbox).toHaveLength(1);
    const answer = result.outbox[0]?.to === "control" ? (result.outbox[0].message as OrchestrationMessage) : undefined;
    expect(answer).toMatchObject({ instanceId: "caller", executionId: "exec", event: { EventType: EventType.EventRaised, Name: "r1" } });
    expect(JSON.parse(answer?.event.Input ?? "null")).toEqual({
      result: JSON.stringify("The function 'nobody' doesn't exist, is disabled, or is not an entity function."),
      exceptionType: "Error",
    });
    expect(hub.logger.lines).toContainEqual({
      level: "warning",
      message: "@nobody@k: The function 'nobody' doesn't exist, is disabled, or is not an entity function. 1 signal(s) to it are dropped.",
    });
  });
});
