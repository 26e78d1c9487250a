import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Waits for "Go" or a timer `hours` later; on the event it cancels the timer, then waits for "Done" if asked to. */
df.app.orchestration("Timer_Race", function* (context: OrchestrationContext) {
  const { hours, thenWait } = context.df.getInput<{ hours: number; thenWait: boolean }>();
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + hours * HOUR));
  const go = context.df.waitForExternalEvent("Go");
  const winner: unknown = yield context.df.Task.any([go, timer]);
  if (winner === timer) return "timer";
  timer.cancel();
  if (thenWait) yield context.df.waitForExternalEvent("Done");
  return { event: go.result };
});

df.app.orchestration("Timer_Long", function* (context: OrchestrationContext) {
  const days = context.df.getInput<number>();
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + days * DAY));
  return context.df.currentUtcDateTime.toISOString();
});

/** A long timer that loses a race and is cancelled: the SDK still runs its chain to the end. */
df.app.orchestration("Timer_LongRace", function* (context: OrchestrationContext) {
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 10 * DAY));
  const winner: unknown = yield context.df.Task.any([context.df.waitForExternalEvent("Go"), timer]);
  if (winner === timer) return "timer";
  timer.cancel();
  const done: unknown = yield context.df.waitForExternalEvent("Done");
  return done;
});

df.app.orchestration("Timer_Past", function* (context: OrchestrationContext) {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() - HOUR));
  return "fired";
});

const at = (ms: number, from = T0): string => new Date(from.getTime() + ms).toISOString();

const app = useRegistryInvoker();

const originalTimeZone = process.env.TZ;
afterEach(() => {
  if (originalTimeZone === undefined) delete process.env.TZ;
  else process.env.TZ = originalTimeZone;
});

describe("timers", () => {
  it("Task.any of an event and a timer: the event wins, the cancelled timer still exists", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Race", { hours: 1, thenWait: false });
    await hub.runUntilIdle({ timers: false });
    hub.raiseEvent(id, "Go", { ok: 1 });

    await hub.runUntilIdle({ timers: false });

    expect(hub.output(id)).toEqual({ event: { ok: 1 } });
    // The extension creates a timer even when the SDK cancels it: it is still due.
    expect(hub.timers.map((timer) => timer.fireAt)).toEqual([at(HOUR)]);
    // Due after the instance completed: delivered, but nothing takes it.
    await hub.runUntilIdle();
    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.events(id, EventType.TimerFired)).toEqual([]);
  });

  it("a cancelled timer that fires while the instance still runs is recorded and wakes it without effect", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Race", { hours: 1, thenWait: true });
    await hub.runUntilIdle({ timers: false });
    hub.raiseEvent(id, "Go", "first");
    await hub.runUntilIdle({ timers: false });

    hub.advance(HOUR);
    hub.fireDueTimers();
    await hub.runEpisodes();

    expect(hub.instance(id).status.runtimeStatus).toBe("Running");
    expect(hub.events(id, EventType.TimerFired).map((event) => event.TimerId)).toEqual([0]);
    hub.raiseEvent(id, "Done");
    await hub.runUntilIdle();
    expect(hub.output(id)).toEqual({ event: "first" });
  });

  it("Task.any of an event and a timer: the timer wins when no event comes", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Race", { hours: 2, thenWait: false });

    await hub.runUntilIdle();

    expect(hub.output(id)).toBe("timer");
    expect(hub.instance(id).status.completedTime).toBe(at(2 * HOUR));
  });

  it("splits a timer longer than six days into the SDK's three-day timers and completes at the requested time", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Long", 10);

    await hub.runUntilIdle();

    expect(hub.output(id)).toBe(at(10 * DAY));
    const created = hub.events(id, EventType.TimerCreated);
    expect(created.map((event) => [event.TimerId, event.FireAt])).toEqual([
      [0, at(3 * DAY)],
      [1, at(6 * DAY)],
      [2, at(10 * DAY)],
    ]);
    expect(created[0]?.FinalFireAt).toBe(at(10 * DAY));
  });

  it("keeps a timer of exactly six days whole", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Long", 6);

    await hub.runUntilIdle();

    expect(hub.events(id, EventType.TimerCreated).map((event) => event.FireAt)).toEqual([at(6 * DAY)]);
    expect(hub.output(id)).toBe(at(6 * DAY));
  });

  it("adds the long timers' days in local time, as the SDK's moment does (71 hours across a DST change)", async () => {
    process.env.TZ = "America/New_York";
    const start = new Date("2026-03-06T17:00:00.000Z");
    const hub = new InMemoryTaskHub(app(), start);
    const id = hub.startOrchestration("Timer_Long", 8);

    await hub.runUntilIdle();

    expect(hub.events(id, EventType.TimerCreated).map((event) => event.FireAt)).toEqual([at(3 * DAY - HOUR, start), at(8 * DAY, start)]);
    expect(hub.output(id)).toBe(at(8 * DAY, start));
  });

  it("keeps numbering a cancelled long timer's chain, as the SDK does, without disturbing the orchestrator", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_LongRace");
    await hub.runUntilIdle({ timers: false });
    hub.raiseEvent(id, "Go");
    await hub.runUntilIdle({ timers: false });

    // Day 3, 6 and 10: each link of the chain fires into the running instance.
    for (let step = 0; step < 3; step++) {
      hub.advanceToNextTimer();
      hub.fireDueTimers();
      await hub.runEpisodes();
    }
    hub.raiseEvent(id, "Done", "finished");
    await hub.runUntilIdle();

    expect(hub.output(id)).toBe("finished");
    expect(hub.events(id, EventType.TimerCreated).map((event) => [event.TimerId, event.FireAt])).toEqual([
      [0, at(3 * DAY)],
      [1, at(6 * DAY)],
      [2, at(10 * DAY)],
    ]);
    expect(hub.events(id, EventType.TimerFired).map((event) => event.TimerId)).toEqual([0, 1, 2]);
  });

  it("fires a timer in the past at once", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Timer_Past");

    await hub.runUntilIdle({ timers: false });

    expect(hub.output(id)).toBe("fired");
  });
});
