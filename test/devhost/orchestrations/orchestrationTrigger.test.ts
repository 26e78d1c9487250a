import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { beforeAll, describe, expect, it } from "vitest";
import type { InvokeOptions } from "../../../devhost/app/functionTypes.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { RegistryInvoker } from "../support/registryInvoker.js";

df.app.orchestration("Trig_Entity", function* (context: OrchestrationContext) {
  const value: unknown = yield context.df.callEntity(new df.EntityId("Trig_Box", "k"), "get");
  return { value, input: context.df.getInput<unknown>(), parent: context.df.parentInstanceId ?? null };
});

df.app.entity("Trig_Box", (context) => {
  context.df.return(42);
});

/** Keeps every orchestration trigger input it passes on. */
class CapturingInvoker extends RegistryInvoker {
  readonly triggers: Record<string, unknown>[] = [];

  override async invoke(name: string, triggerInput: unknown, options?: InvokeOptions): Promise<unknown> {
    if (name === "Trig_Entity") this.triggers.push(structuredClone(triggerInput) as Record<string, unknown>);
    return super.invoke(name, triggerInput, options);
  }
}

let app: CapturingInvoker;
beforeAll(async () => {
  app = await CapturingInvoker.load();
});

describe("the orchestration trigger input", () => {
  it("is what the extension sends: schema V2/V3, the timer and polling settings, played and new events", async () => {
    const hub = new InMemoryTaskHub(app, T0);
    const id = hub.startOrchestration("Trig_Entity", { a: 1 });

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ value: 42, input: { a: 1 }, parent: null });
    const [first, second] = app.triggers;
    expect(first).toMatchObject({
      input: { a: 1 },
      instanceId: id,
      isReplaying: false,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: "3.00:00:00",
      maximumShortTimerDuration: "6.00:00:00",
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
    expect(second?.isReplaying).toBe(true);
    const history = second?.history as { EventType: number; EventId: number; IsPlayed: boolean }[];
    expect(history.map((event) => [event.EventType, event.EventId, event.IsPlayed])).toEqual([
      [EventType.OrchestratorStarted, -1, true],
      [EventType.ExecutionStarted, -1, true],
      // The SDK finds an entity call's task by the EventSent's EventId: its sequence number.
      [EventType.EventSent, 0, true],
      [EventType.OrchestratorCompleted, -1, true],
      [EventType.OrchestratorStarted, -1, false],
      [EventType.EventRaised, -1, false],
    ]);
  });
});
