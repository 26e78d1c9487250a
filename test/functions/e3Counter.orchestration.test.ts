import { beforeAll, describe, expect, it } from "vitest";
import { E3_LIMITS, type E3CounterCarriedState, type E3CounterStatus } from "../../src/logic/e3CounterState.js";
import { EventNames, OrchestratorNames } from "../../src/names.js";
import { loadApp } from "../support/functionsHost.js";
import {
  ActionType,
  asSent,
  fireAtOf,
  isTimer,
  OrchestrationRun,
  type Delivery,
  type EpisodeResult,
} from "../support/orchestrationReplay.js";

const START = new Date("2026-01-05T09:00:00.000Z");
const WAIT_FOR_OPERATION = { actionType: ActionType.WaitForExternalEvent, externalEventName: EventNames.counterOperation, reason: "ExternalEvent" };
const IDLE_MS = E3_LIMITS.idleSeconds * 1000;

function counter(input?: unknown): OrchestrationRun {
  return new OrchestrationRun(OrchestratorNames.counter, input, undefined, START);
}

function operation(run: OrchestrationRun, payload: unknown): Delivery {
  return run.eventRaised(EventNames.counterOperation, payload);
}

function messages(result: EpisodeResult): string[] {
  return result.logs.map((line) => line.message);
}

function waiting(value: number): string {
  return `Current counter state is ${value}. Waiting for next operation.`;
}

function status(result: EpisodeResult): E3CounterStatus {
  return result.customStatus as E3CounterStatus;
}

function ids(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, index) => `op-${String(from + index).padStart(2, "0")}`);
}

/** The current idle/expiry timer, fired at its own time: the clock moves to its fireAt first. */
async function fireCurrentTimer(run: OrchestrationRun): Promise<EpisodeResult> {
  const timer = run.lastTask(isTimer);
  run.advance(Date.parse(fireAtOf(timer.action)) - run.now.getTime());
  return run.deliver(run.timerFired(timer));
}

describe(`${OrchestratorNames.counter} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  describe("operations", () => {
    it("starts at 0 with an empty confirmation list and waits for an operation, without a timer", async () => {
      const run = counter();

      const result = await run.start();

      expect(result.isDone).toBe(false);
      expect(result.customStatus).toEqual({ value: 0, confirmedOps: [] });
      expect(asSent(result.actions)).toEqual([WAIT_FOR_OPERATION]);
      expect(result.newTasks).toEqual([]);
      expect(result.logs).toEqual([{ level: "information", message: waiting(0) }]);
    });

    it("applies a bare 'incr' and logs only what the new episode did, never the replayed past", async () => {
      const run = counter();
      await run.start();

      const first = await run.deliver(operation(run, "incr"));
      expect(first.isDone).toBe(false);
      expect(status(first)).toEqual({ value: 1, confirmedOps: [] });
      expect(messages(first)).toEqual(["Received 'incr' operation.", waiting(1)]);

      const second = await run.deliver(operation(run, "incr"));
      expect(status(second)).toEqual({ value: 2, confirmedOps: [] });
      // "state is 0" and "state is 1" and the first "Received" belong to replayed episodes.
      expect(messages(second)).toEqual(["Received 'incr' operation.", waiting(2)]);
      expect(messages(second).filter((message) => message === waiting(0))).toEqual([]);

      const third = await run.deliver(operation(run, "decr"));
      expect(status(third)).toEqual({ value: 1, confirmedOps: [] });
      expect(messages(third)).toEqual(["Received 'decr' operation.", waiting(1)]);
    });

    it("confirms operations that carry an id, in the order they were applied", async () => {
      const run = counter();
      await run.start();

      const first = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(status(first)).toEqual({ value: 1, confirmedOps: ["a"] });

      const second = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(second)).toEqual({ value: 2, confirmedOps: ["a", "b"] });

      const third = await run.deliver(operation(run, { op: "decr", id: "c" }));
      expect(status(third)).toEqual({ value: 1, confirmedOps: ["a", "b", "c"] });
    });

    it("applies a redelivered id once but keeps confirming it", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await run.deliver(operation(run, { op: "incr", id: "b" }));

      const redelivered = await run.deliver(operation(run, { op: "incr", id: "a" }));

      expect(redelivered.isDone).toBe(false);
      // Unchanged value; re-confirming moves the id to the newest end.
      expect(status(redelivered)).toEqual({ value: 2, confirmedOps: ["b", "a"] });

      const inOneBatch = await run.deliver(operation(run, { op: "incr", id: "b" }), operation(run, { op: "incr", id: "b" }));
      expect(status(inOneBatch)).toEqual({ value: 2, confirmedOps: ["a", "b"] });
    });

    it("ignores an unknown operation with a warning and leaves the value as it was", async () => {
      const run = counter(7);
      await run.start();

      const unknown = await run.deliver(operation(run, "reset"));
      expect(unknown.isDone).toBe(false);
      expect(status(unknown)).toEqual({ value: 7, confirmedOps: [] });
      expect(unknown.logs).toEqual([
        { level: "warning", message: 'Ignoring unknown operation "reset".' },
        { level: "information", message: waiting(7) },
      ]);

      const malformed = await run.deliver(operation(run, { op: "incr", id: 42 }), operation(run, null));
      expect(status(malformed)).toEqual({ value: 7, confirmedOps: [] });
      expect(messages(malformed)).toEqual([
        'Ignoring unknown operation {"op":"incr","id":42}.',
        waiting(7),
        "Ignoring unknown operation null.",
        waiting(7),
      ]);
    });

    it("ends on 'end' with the value as output and the end id confirmed", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await run.deliver(operation(run, { op: "incr", id: "b" }));

      const ended = await run.deliver(operation(run, { op: "end", id: "z" }));

      expect(ended.failed).toBe(false);
      expect(ended.isDone).toBe(true);
      expect(ended.output).toBe(2);
      expect(ended.customStatus).toEqual({ value: 2, confirmedOps: ["a", "b", "z"] });
      expect(ended.continuedAsNewWith).toBeUndefined();
      expect(ended.newTasks).toEqual([]);
      // The idle timer the 'end' event beat is cancelled.
      const lastWait = ended.actions.at(-1);
      expect(lastWait?.actionType).toBe(ActionType.WhenAny);
      expect(lastWait?.compoundActions?.[1]).toMatchObject({ actionType: ActionType.CreateTimer, isCanceled: true });
    });

    it("ends on a bare 'end' straight after the start", async () => {
      const run = counter(3);
      await run.start();

      const ended = await run.deliver(operation(run, "end"));

      expect(ended.isDone).toBe(true);
      expect(ended.output).toBe(3);
      expect(ended.customStatus).toEqual({ value: 3, confirmedOps: [] });
    });

    it("refuses an 'incr' that would leave the safe integer range and keeps the value", async () => {
      const run = counter(Number.MAX_SAFE_INTEGER);
      const started = await run.start();
      expect(status(started)).toEqual({ value: Number.MAX_SAFE_INTEGER, confirmedOps: [] });

      const refused = await run.deliver(operation(run, { op: "incr", id: "over" }));

      expect(refused.failed).toBe(false);
      expect(refused.isDone).toBe(false);
      // Refused, but the id is still confirmed so the endpoint stops resending it.
      expect(status(refused)).toEqual({ value: Number.MAX_SAFE_INTEGER, confirmedOps: ["over"] });
      expect(refused.logs).toContainEqual({
        level: "warning",
        message: "Refusing 'incr': the value would leave the safe integer range.",
      });

      const decremented = await run.deliver(operation(run, "decr"));
      expect(status(decremented).value).toBe(Number.MAX_SAFE_INTEGER - 1);
    });

    it("fails the instance with a clear message when started with a value that is not a safe integer", async () => {
      const run = counter(1.5);

      const result = await run.start();

      expect(result.failed).toBe(true);
      expect(result.error).toBe("E3_Counter needs an integer start value, got 1.5.");
    });
  });

  describe("idle timer and continue-as-new", () => {
    it("waits for the next operation or an idle timer one second after the last operation", async () => {
      const run = counter();
      await run.start();
      run.advance(250);

      const result = await run.deliver(operation(run, "incr"));

      const fireAt = new Date(START.getTime() + 250 + IDLE_MS).toISOString();
      expect(asSent(result.actions)).toEqual([
        WAIT_FOR_OPERATION,
        {
          actionType: ActionType.WhenAny,
          compoundActions: [WAIT_FOR_OPERATION, { actionType: ActionType.CreateTimer, fireAt, isCanceled: false }],
        },
      ]);
      expect(result.newTasks).toHaveLength(1);
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(fireAt);
    });

    it("cancels the idle timer when an operation beats it and starts a new one from that operation", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, "incr"));
      const firstTimer = run.lastTask(isTimer);
      run.advance(400);

      const result = await run.deliver(operation(run, "incr"));

      expect(result.newTasks).toHaveLength(1);
      const secondTimer = run.lastTask(isTimer);
      expect(secondTimer.sequence).toBeGreaterThan(firstTimer.sequence);
      expect(fireAtOf(secondTimer.action)).toBe(new Date(START.getTime() + 400 + IDLE_MS).toISOString());
      expect(asSent(result.actions)).toMatchObject([
        WAIT_FOR_OPERATION,
        { actionType: ActionType.WhenAny, compoundActions: [WAIT_FOR_OPERATION, { isCanceled: true }] },
        { actionType: ActionType.WhenAny, compoundActions: [WAIT_FOR_OPERATION, { isCanceled: false }] },
      ]);

      // The cancelled timer still fires at its time; that must not end the generation.
      run.advance(600);
      const late = await run.deliver(run.timerFired(firstTimer));
      expect(late.isDone).toBe(false);
      expect(late.continuedAsNewWith).toBeUndefined();
      expect(late.newTasks).toEqual([]);
      expect(status(late)).toEqual({ value: 2, confirmedOps: [] });
    });

    it("continues as new with the bare value after a quiet second when no ids are remembered", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, "incr"));
      await run.deliver(operation(run, "incr"));

      const quiet = await fireCurrentTimer(run);

      expect(quiet.failed).toBe(false);
      expect(quiet.isDone).toBe(true);
      expect(quiet.output).toBeUndefined();
      expect(quiet.continuedAsNewWith).toBe(2);
      expect(quiet.actions.at(-1)).toEqual({ actionType: ActionType.ContinueAsNew, input: 2 });
      expect(quiet.newTasks).toEqual([]);

      const next = await run.continueAsNew();
      expect(next.isDone).toBe(false);
      expect(next.customStatus).toEqual({ value: 2, confirmedOps: [] });
      expect(asSent(next.actions)).toEqual([WAIT_FOR_OPERATION]);
      expect(messages(next)).toEqual([waiting(2)]);
    });

    it("carries remembered ids across continue-as-new and still applies a resent id only once", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      const appliedAt = run.now.getTime();

      const quiet = await fireCurrentTimer(run);

      expect(quiet.continuedAsNewWith).toEqual({ value: 1, recentOps: [["a", appliedAt]] } satisfies E3CounterCarriedState);

      const next = await run.continueAsNew();
      expect(next.customStatus).toEqual({ value: 1, confirmedOps: ["a"] });
      // With ids remembered it waits with a timer at the oldest id's expiry.
      const expiry = new Date(appliedAt + E3_LIMITS.rememberMs).toISOString();
      expect(asSent(next.actions)).toEqual([
        {
          actionType: ActionType.WhenAny,
          compoundActions: [WAIT_FOR_OPERATION, { actionType: ActionType.CreateTimer, fireAt: expiry, isCanceled: false }],
        },
      ]);

      const resent = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(resent.isDone).toBe(false);
      expect(status(resent)).toEqual({ value: 1, confirmedOps: ["a"] });

      const fresh = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(fresh)).toEqual({ value: 2, confirmedOps: ["a", "b"] });
    });

    it("forgets remembered ids when the oldest expires and continues as new with the bare value", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await fireCurrentTimer(run);
      const carried = await run.continueAsNew();
      expect(carried.customStatus).toEqual({ value: 1, confirmedOps: ["a"] });
      const expiryTimer = run.lastTask(isTimer);
      expect(fireAtOf(expiryTimer.action)).toBe(new Date(START.getTime() + E3_LIMITS.rememberMs).toISOString());

      run.advance(E3_LIMITS.rememberMs);
      const expired = await run.deliver(run.timerFired(expiryTimer));

      expect(expired.isDone).toBe(true);
      expect(expired.continuedAsNewWith).toBe(1);

      const next = await run.continueAsNew();
      expect(next.customStatus).toEqual({ value: 1, confirmedOps: [] });
      expect(asSent(next.actions)).toEqual([WAIT_FOR_OPERATION]);
    });

    it("drops only the expired ids when continuing and waits for the next expiry", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "old" }));
      const oldAt = run.now.getTime();
      run.advance(E3_LIMITS.rememberMs / 2);
      await run.deliver(operation(run, { op: "incr", id: "new" }));
      const newAt = run.now.getTime();
      await fireCurrentTimer(run);
      await run.continueAsNew();
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(new Date(oldAt + E3_LIMITS.rememberMs).toISOString());

      const expired = await fireCurrentTimer(run);

      expect(expired.continuedAsNewWith).toEqual({ value: 2, recentOps: [["new", newAt]] });
      const next = await run.continueAsNew();
      expect(next.customStatus).toEqual({ value: 2, confirmedOps: ["new"] });
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(new Date(newAt + E3_LIMITS.rememberMs).toISOString());
    });
  });

  describe("bursts", () => {
    it(`applies exactly ${E3_LIMITS.opsPerGeneration} events of a 60-event batch, continues as new, and drops the rest`, async () => {
      expect(E3_LIMITS.opsPerGeneration).toBe(50);
      const run = counter();
      await run.start();
      const all = ids(0, 60);

      const burst = await run.deliver(...all.map((id) => operation(run, { op: "incr", id })));

      expect(burst.failed).toBe(false);
      expect(burst.isDone).toBe(true);
      expect(burst.customStatus).toEqual({ value: 50, confirmedOps: ids(0, 50) });
      const carried = burst.continuedAsNewWith as E3CounterCarriedState;
      expect(carried.value).toBe(50);
      expect(carried.recentOps.map(([id]) => id)).toEqual(ids(0, 50));
      expect(carried.recentOps.every(([, at]) => at === run.now.getTime())).toBe(true);
      expect(messages(burst).filter((message) => message === "Received 'incr' operation.")).toHaveLength(50);
      // The engine's drop hazard: the ten events after the 50th shared the episode that continued
      // as new, and the SDK never processed them. Only a resend can bring them back.
      expect(JSON.stringify(carried)).not.toContain("op-50");
      expect(burst.actions.filter((action) => action.actionType === ActionType.ContinueAsNew)).toHaveLength(1);

      const next = await run.continueAsNew();
      expect(next.customStatus).toEqual({ value: 50, confirmedOps: ids(0, 50) });

      const resentDropped = await run.deliver(...ids(50, 60).map((id) => operation(run, { op: "incr", id })));
      expect(resentDropped.isDone).toBe(false);
      expect(resentDropped.customStatus).toEqual({ value: 60, confirmedOps: all });

      // Resending all 60 changes nothing; 40 more events reach this generation's limit, so it
      // continues as new and the last 20 of the batch wait for the next generation.
      const resentAll = await run.deliver(...all.map((id) => operation(run, { op: "incr", id })));
      expect(resentAll.isDone).toBe(true);
      expect(status(resentAll).value).toBe(60);
      expect((resentAll.continuedAsNewWith as E3CounterCarriedState).value).toBe(60);

      const last = await run.continueAsNew();
      expect(status(last).value).toBe(60);
      const again = await run.deliver(...all.map((id) => operation(run, { op: "incr", id })));
      expect(status(again).value).toBe(60);
      expect([...status(again).confirmedOps].sort()).toEqual(all);
    });

    it("drops an operation that arrives in the same batch as the idle timer's firing, until it is resent", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      const timer = run.lastTask(isTimer);
      run.advance(IDLE_MS);

      const quiet = await run.deliver(run.timerFired(timer), operation(run, { op: "incr", id: "b" }));

      expect(quiet.isDone).toBe(true);
      expect((quiet.continuedAsNewWith as E3CounterCarriedState).value).toBe(1);
      expect(status(quiet).confirmedOps).toEqual(["a"]);

      await run.continueAsNew();
      const resent = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(resent)).toEqual({ value: 2, confirmedOps: ["a", "b"] });
    });
  });
});
