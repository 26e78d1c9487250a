import { beforeAll, describe, expect, it } from "vitest";
import { E3_LIMITS, type E3CounterState, type E3CounterStatus, type OperationOutcome } from "../../src/logic/e3CounterState.js";
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
/** START in epoch seconds, the unit the orchestration remembers operations in. */
const START_S = START.getTime() / 1000;
const WAIT_FOR_OPERATION = { actionType: ActionType.WaitForExternalEvent, externalEventName: EventNames.counterOperation, reason: "ExternalEvent" };
const IDLE_MS = E3_LIMITS.idleSeconds * 1000;
const REMEMBER_MS = E3_LIMITS.rememberSeconds * 1000;

function counter(input?: unknown): OrchestrationRun {
  return new OrchestrationRun(OrchestratorNames.counter, input, undefined, START);
}

function operation(run: OrchestrationRun, payload: unknown): Delivery {
  return run.eventRaised(EventNames.counterOperation, payload);
}

function increments(run: OrchestrationRun, operationIds: string[]): Delivery[] {
  return operationIds.map((id) => operation(run, { op: "incr", id }));
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

function carried(result: EpisodeResult): E3CounterState {
  return result.continuedAsNewWith as E3CounterState;
}

/** The run's clock in epoch seconds, as the orchestration reads it. */
function nowSeconds(run: OrchestrationRun): number {
  return Math.floor(run.now.getTime() / 1000);
}

/** op-00, op-01, … op-(to-1). */
function ids(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, index) => `op-${String(from + index).padStart(2, "0")}`);
}

/** The confirmations of increments from 0 with these ids: op-NN's outcome is NN + 1. */
function incremented(operationIds: string[]): [string, OperationOutcome][] {
  return operationIds.map((id) => [id, Number(id.slice(3)) + 1]);
}

/** The current idle/expiry timer, fired at its own time: the clock moves to its fireAt first. */
async function fireCurrentTimer(run: OrchestrationRun): Promise<EpisodeResult> {
  const timer = run.lastTask(isTimer);
  run.advance(Date.parse(fireAtOf(timer.action)) - run.now.getTime());
  return run.deliver(run.timerFired(timer));
}

/** The next generation starts a moment after the last one continued as new, as on the engine. */
async function nextGeneration(run: OrchestrationRun): Promise<EpisodeResult> {
  run.advance(10);
  return run.continueAsNew();
}

describe(`${OrchestratorNames.counter} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  describe("operations", () => {
    it("starts at 0 with an empty confirmation list and its start time as generation, and waits without a timer", async () => {
      const run = counter();

      const result = await run.start();

      expect(result.isDone).toBe(false);
      expect(result.customStatus).toEqual({ value: 0, generation: START.toISOString(), confirmedOps: [] });
      expect(asSent(result.actions)).toEqual([WAIT_FOR_OPERATION]);
      expect(result.newTasks).toEqual([]);
      expect(result.logs).toEqual([{ level: "information", message: waiting(0) }]);
    });

    it("applies a bare 'incr' and logs only what the new episode did, never the replayed past", async () => {
      const run = counter();
      await run.start();

      const first = await run.deliver(operation(run, "incr"));
      expect(first.isDone).toBe(false);
      expect(status(first)).toEqual({ value: 1, generation: START.toISOString(), confirmedOps: [] });
      expect(messages(first)).toEqual(["Received 'incr' operation.", waiting(1)]);

      const second = await run.deliver(operation(run, "incr"));
      expect(status(second)).toEqual({ value: 2, generation: START.toISOString(), confirmedOps: [] });
      // "state is 0" and "state is 1" and the first "Received" belong to replayed episodes.
      expect(messages(second)).toEqual(["Received 'incr' operation.", waiting(2)]);
      expect(messages(second).filter((message) => message === waiting(0))).toEqual([]);

      const third = await run.deliver(operation(run, "decr"));
      expect(status(third)).toEqual({ value: 1, generation: START.toISOString(), confirmedOps: [] });
      expect(messages(third)).toEqual(["Received 'decr' operation.", waiting(1)]);
    });

    it("confirms operations that carry an id with the value right after each, in the order they were applied", async () => {
      const run = counter();
      await run.start();

      const first = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(status(first).confirmedOps).toEqual([["a", 1]]);

      const second = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(second).confirmedOps).toEqual([
        ["a", 1],
        ["b", 2],
      ]);

      const third = await run.deliver(operation(run, { op: "decr", id: "c" }));
      expect(status(third)).toEqual({
        value: 1,
        generation: START.toISOString(),
        confirmedOps: [
          ["a", 1],
          ["b", 2],
          ["c", 1],
        ],
      });
    });

    it("applies a redelivered id once and re-confirms it, with its first outcome, as the newest", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await run.deliver(operation(run, { op: "incr", id: "b" }));

      const redelivered = await run.deliver(operation(run, { op: "incr", id: "a" }));

      expect(redelivered.isDone).toBe(false);
      expect(status(redelivered).value).toBe(2);
      expect(status(redelivered).confirmedOps).toEqual([
        ["b", 2],
        ["a", 1],
      ]);

      const inOneBatch = await run.deliver(operation(run, { op: "incr", id: "b" }), operation(run, { op: "incr", id: "b" }));
      expect(status(inOneBatch).value).toBe(2);
      expect(status(inOneBatch).confirmedOps).toEqual([
        ["a", 1],
        ["b", 2],
      ]);
    });

    it("ignores an unknown operation with a warning and leaves the value as it was", async () => {
      const run = counter(7);
      await run.start();

      const unknown = await run.deliver(operation(run, "reset"));
      expect(unknown.isDone).toBe(false);
      expect(status(unknown)).toEqual({ value: 7, generation: START.toISOString(), confirmedOps: [] });
      expect(unknown.logs).toEqual([
        { level: "warning", message: 'Ignoring unknown operation "reset".' },
        { level: "information", message: waiting(7) },
      ]);

      const malformed = await run.deliver(
        operation(run, { op: "incr", id: 42 }),
        operation(run, { op: "incr", id: "not an id" }),
        operation(run, null),
        operation(run, undefined),
      );
      expect(status(malformed)).toEqual({ value: 7, generation: START.toISOString(), confirmedOps: [] });
      expect(messages(malformed)).toEqual([
        'Ignoring unknown operation {"op":"incr","id":42}.',
        waiting(7),
        'Ignoring unknown operation {"op":"incr","id":"not an id"}.',
        waiting(7),
        "Ignoring unknown operation null.",
        waiting(7),
        "Ignoring unknown operation (no payload).",
        waiting(7),
      ]);
    });

    it("ends on 'end' with the value as output and the end id confirmed with that value", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await run.deliver(operation(run, { op: "incr", id: "b" }));

      const ended = await run.deliver(operation(run, { op: "end", id: "z" }));

      expect(ended.failed).toBe(false);
      expect(ended.isDone).toBe(true);
      expect(ended.output).toBe(2);
      expect(ended.customStatus).toEqual({
        value: 2,
        generation: START.toISOString(),
        confirmedOps: [
          ["a", 1],
          ["b", 2],
          ["z", 2],
        ],
      });
      expect(ended.continuedAsNewWith).toBeUndefined();
      expect(ended.newTasks).toEqual([]);
      // The idle timer the 'end' event beat is cancelled.
      const lastWait = ended.actions.at(-1);
      expect(lastWait?.actionType).toBe(ActionType.WhenAny);
      expect(lastWait?.compoundActions?.[1]).toMatchObject({ actionType: ActionType.CreateTimer, isCanceled: true });
    });

    it("does not end when a remembered id comes back as 'end': a repeated id only gets its first answer", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));

      const repeated = await run.deliver(operation(run, { op: "end", id: "a" }));

      expect(repeated.isDone).toBe(false);
      expect(repeated.output).toBeUndefined();
      expect(status(repeated)).toEqual({ value: 1, generation: START.toISOString(), confirmedOps: [["a", 1]] });
    });

    it("ends on a bare 'end' straight after the start", async () => {
      const run = counter(3);
      await run.start();

      const ended = await run.deliver(operation(run, "end"));

      expect(ended.isDone).toBe(true);
      expect(ended.output).toBe(3);
      expect(ended.customStatus).toEqual({ value: 3, generation: START.toISOString(), confirmedOps: [] });
      expect(messages(ended)).toEqual(["Received 'end' operation."]);
    });

    it("refuses an 'incr' that would leave the safe integer range, keeps the value and confirms the id as refused", async () => {
      const run = counter(Number.MAX_SAFE_INTEGER);
      const started = await run.start();
      expect(status(started).value).toBe(Number.MAX_SAFE_INTEGER);

      const refused = await run.deliver(operation(run, { op: "incr", id: "over" }));

      expect(refused.failed).toBe(false);
      expect(refused.isDone).toBe(false);
      // Refused, but the id is confirmed (with null) so that the endpoint can answer it.
      expect(status(refused)).toEqual({ value: Number.MAX_SAFE_INTEGER, generation: START.toISOString(), confirmedOps: [["over", null]] });
      expect(refused.logs).toEqual([
        { level: "information", message: "Received 'incr' operation." },
        { level: "warning", message: "Refusing 'incr': the value would leave the safe integer range." },
        { level: "information", message: waiting(Number.MAX_SAFE_INTEGER) },
      ]);

      const decremented = await run.deliver(operation(run, "decr"));
      expect(status(decremented).value).toBe(Number.MAX_SAFE_INTEGER - 1);
    });

    it("keeps a refused id refused across continue-as-new, even once the value would allow it", async () => {
      const run = counter(Number.MAX_SAFE_INTEGER);
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "over" }));
      await run.deliver(operation(run, "decr"));

      const quiet = await fireCurrentTimer(run);
      expect(quiet.continuedAsNewWith).toEqual({ value: Number.MAX_SAFE_INTEGER - 1, recentOps: [["over", START_S, null]] });

      await nextGeneration(run);
      const resent = await run.deliver(operation(run, { op: "incr", id: "over" }));

      expect(status(resent).value).toBe(Number.MAX_SAFE_INTEGER - 1);
      expect(status(resent).confirmedOps).toEqual([["over", null]]);
    });

    it("fails the instance with a clear message when started with a value that is not a safe integer", async () => {
      const run = counter(1.5);

      const result = await run.start();

      expect(result.failed).toBe(true);
      expect(result.error).toBe("E3_Counter needs a safe integer start value, got 1.5.");
    });
  });

  describe("idle timer and continue-as-new", () => {
    it("waits for the next operation or an idle timer one second after the last operation", async () => {
      const run = counter();
      await run.start();
      run.advance(2000);

      const result = await run.deliver(operation(run, "incr"));

      const fireAt = new Date(START.getTime() + 2000 + IDLE_MS).toISOString();
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

    it("waits a whole idle second even when the last operation arrives in the middle of a second", async () => {
      const run = counter();
      await run.start();
      run.advance(999);

      await run.deliver(operation(run, "incr"));

      // A timer at the next whole second would continue as new 1 ms after this operation.
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(new Date(START.getTime() + 999 + IDLE_MS).toISOString());
    });

    it("cancels the idle timer when an operation beats it and starts a new one from that operation", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, "incr"));
      const firstTimer = run.lastTask(isTimer);
      // Arrives just as the first timer is due, ahead of its firing.
      run.advance(IDLE_MS);

      const result = await run.deliver(operation(run, "incr"));

      expect(result.newTasks).toHaveLength(1);
      const secondTimer = run.lastTask(isTimer);
      expect(secondTimer.sequence).toBeGreaterThan(firstTimer.sequence);
      expect(fireAtOf(secondTimer.action)).toBe(new Date(START.getTime() + 2 * IDLE_MS).toISOString());
      expect(asSent(result.actions)).toMatchObject([
        WAIT_FOR_OPERATION,
        { actionType: ActionType.WhenAny, compoundActions: [WAIT_FOR_OPERATION, { isCanceled: true }] },
        { actionType: ActionType.WhenAny, compoundActions: [WAIT_FOR_OPERATION, { isCanceled: false }] },
      ]);

      // The cancelled timer still fires; that must not end the generation.
      run.advance(100);
      const late = await run.deliver(run.timerFired(firstTimer));
      expect(late.isDone).toBe(false);
      expect(late.continuedAsNewWith).toBeUndefined();
      expect(late.newTasks).toEqual([]);
      expect(status(late)).toEqual({ value: 2, generation: START.toISOString(), confirmedOps: [] });
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
      expect(next.customStatus).toEqual({ value: 2, generation: run.now.toISOString(), confirmedOps: [] });
      expect(asSent(next.actions)).toEqual([WAIT_FOR_OPERATION]);
      expect(messages(next)).toEqual([waiting(2)]);
    });

    it("keeps one generation in customStatus for a whole generation and a new one after every continue-as-new", async () => {
      const run = counter();
      const first = await run.start();
      run.advance(2000);
      const applied = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(status(first).generation).toBe("2026-01-05T09:00:00.000Z");
      expect(status(applied).generation).toBe("2026-01-05T09:00:00.000Z");

      await fireCurrentTimer(run);
      const second = await run.continueAsNew();
      expect(status(second).generation).toBe("2026-01-05T09:00:03.000Z");
      run.advance(2000);
      const secondLater = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(secondLater).generation).toBe("2026-01-05T09:00:03.000Z");

      await fireCurrentTimer(run);
      const third = await run.continueAsNew();
      expect(status(third).generation).toBe("2026-01-05T09:00:06.000Z");
      expect(new Set([first, second, third].map((result) => status(result).generation)).size).toBe(3);
    });

    it("carries remembered ids across continue-as-new and still applies a resent id only once", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      const appliedAt = nowSeconds(run);

      const quiet = await fireCurrentTimer(run);

      expect(quiet.continuedAsNewWith).toEqual({ value: 1, recentOps: [["a", appliedAt, 1]] });

      const next = await nextGeneration(run);
      expect(next.customStatus).toEqual({ value: 1, generation: run.now.toISOString(), confirmedOps: [["a", 1]] });
      // With ids remembered it waits with a timer at the oldest id's expiry.
      const expiry = new Date(appliedAt * 1000 + REMEMBER_MS).toISOString();
      expect(asSent(next.actions)).toEqual([
        {
          actionType: ActionType.WhenAny,
          compoundActions: [WAIT_FOR_OPERATION, { actionType: ActionType.CreateTimer, fireAt: expiry, isCanceled: false }],
        },
      ]);

      const resent = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(resent.isDone).toBe(false);
      expect(status(resent).value).toBe(1);
      expect(status(resent).confirmedOps).toEqual([["a", 1]]);

      const fresh = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(fresh).value).toBe(2);
      expect(status(fresh).confirmedOps).toEqual([
        ["a", 1],
        ["b", 2],
      ]);
    });

    it("forgets an id rememberSeconds after it was applied and then continues as new with the bare value", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      await fireCurrentTimer(run);
      const carrying = await nextGeneration(run);
      expect(status(carrying).confirmedOps).toEqual([["a", 1]]);
      const expiryTimer = run.lastTask(isTimer);
      expect(fireAtOf(expiryTimer.action)).toBe(new Date(START.getTime() + REMEMBER_MS).toISOString());

      run.advance(START.getTime() + REMEMBER_MS - run.now.getTime());
      const expired = await run.deliver(run.timerFired(expiryTimer));

      expect(expired.isDone).toBe(true);
      expect(expired.continuedAsNewWith).toBe(1);

      const next = await nextGeneration(run);
      expect(next.customStatus).toEqual({ value: 1, generation: run.now.toISOString(), confirmedOps: [] });
      expect(asSent(next.actions)).toEqual([WAIT_FOR_OPERATION]);

      // Forgotten means applied again: the id is as new as any other.
      const again = await run.deliver(operation(run, { op: "incr", id: "a" }));
      expect(status(again).value).toBe(2);
      expect(status(again).confirmedOps).toEqual([["a", 2]]);
    });

    it("drops only the expired ids when continuing and waits for the next expiry", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "old" }));
      const oldAt = nowSeconds(run);
      run.advance(REMEMBER_MS / 2);
      await run.deliver(operation(run, { op: "incr", id: "new" }));
      const newAt = nowSeconds(run);
      await fireCurrentTimer(run);
      await nextGeneration(run);
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(new Date((oldAt + E3_LIMITS.rememberSeconds) * 1000).toISOString());

      const expired = await fireCurrentTimer(run);

      expect(expired.continuedAsNewWith).toEqual({ value: 2, recentOps: [["new", newAt, 2]] });
      const next = await nextGeneration(run);
      expect(status(next).confirmedOps).toEqual([["new", 2]]);
      expect(fireAtOf(run.lastTask(isTimer).action)).toBe(new Date((newAt + E3_LIMITS.rememberSeconds) * 1000).toISOString());
    });

    it("continues as new after maxEventsPerGeneration events of any kind, ignored ones included", async () => {
      const run = counter(4);
      await run.start();

      const flooded = await run.deliver(
        ...Array.from({ length: E3_LIMITS.maxEventsPerGeneration }, () => operation(run, "reset")),
        operation(run, { op: "incr", id: "late" }),
      );

      expect(flooded.isDone).toBe(true);
      expect(flooded.continuedAsNewWith).toBe(4);
      expect(status(flooded).confirmedOps).toEqual([]);
    });

    it("does not let repeats of remembered ids end a generation sooner", async () => {
      const run = counter();
      await run.start();
      await run.deliver(...increments(run, ids(0, 10)));

      // 100 copies of the ten remembered ids, then one new operation: no ContinueAsNew yet.
      const copies = Array.from({ length: 10 }, () => increments(run, ids(0, 10))).flat();
      const busy = await run.deliver(...copies, operation(run, { op: "incr", id: "fresh" }));

      expect(busy.isDone).toBe(false);
      expect(status(busy).value).toBe(11);
      expect(status(busy).confirmedOps.at(-1)).toEqual(["fresh", 11]);
    });
  });

  describe("bursts", () => {
    /** A fresh counter that received op-00 … op-59 as one batch. */
    async function burstOfSixty(): Promise<{ run: OrchestrationRun; burst: EpisodeResult }> {
      const run = counter();
      await run.start();
      const burst = await run.deliver(...increments(run, ids(0, 60)));
      return { run, burst };
    }

    it("applies exactly 50 events of a 60-event batch, continues as new with 50, and does not apply the last 10", async () => {
      const { run, burst } = await burstOfSixty();

      expect(burst.failed).toBe(false);
      expect(burst.isDone).toBe(true);
      expect(burst.customStatus).toEqual({ value: 50, generation: START.toISOString(), confirmedOps: incremented(ids(0, 50)) });
      expect(burst.continuedAsNewWith).toEqual({
        value: 50,
        recentOps: ids(0, 50).map((id, index) => [id, START_S, index + 1]),
      });
      expect(messages(burst).filter((message) => message === "Received 'incr' operation.")).toHaveLength(50);
      expect(burst.actions.filter((action) => action.actionType === ActionType.ContinueAsNew)).toHaveLength(1);
      // The engine's drop hazard: the ten events after the 50th shared the episode that continued
      // as new, and the SDK never processed them. Only a resend can bring them back.
      expect(JSON.stringify(burst.continuedAsNewWith)).not.toContain("op-50");

      const next = await nextGeneration(run);
      expect(next.customStatus).toEqual({ value: 50, generation: run.now.toISOString(), confirmedOps: incremented(ids(0, 50)) });
      expect(status(next).generation).not.toBe(START.toISOString());
    });

    it("applies each of the 10 dropped operations once when they are resent in the next generation", async () => {
      const { run } = await burstOfSixty();
      await nextGeneration(run);

      const resentDropped = await run.deliver(...increments(run, ids(50, 60)));

      expect(resentDropped.isDone).toBe(false);
      expect(status(resentDropped).value).toBe(60);
      expect(status(resentDropped).confirmedOps).toEqual(incremented(ids(0, 60)));
      expect(messages(resentDropped).filter((message) => message === "Received 'incr' operation.")).toHaveLength(10);
    });

    it("changes nothing when all 60 are resent, takes them in one generation and re-confirms each with its original outcome", async () => {
      const { run } = await burstOfSixty();
      await nextGeneration(run);
      await run.deliver(...increments(run, ids(50, 60)));
      await fireCurrentTimer(run);
      await nextGeneration(run);

      // All 60 are repeats: they change nothing and, not being new operations, do not end the generation.
      const resentAll = await run.deliver(...increments(run, ids(0, 60)));

      expect(resentAll.isDone).toBe(false);
      expect(status(resentAll).value).toBe(60);
      expect(status(resentAll).confirmedOps).toEqual(incremented(ids(0, 60)));
    });


    it("re-confirms, with its original outcome, a duplicate that scrolled out of customStatus but is still remembered", async () => {
      const run = counter();
      await run.start();
      await run.deliver(...increments(run, ids(0, 50)));
      await nextGeneration(run);
      const filled = await run.deliver(...increments(run, ids(50, 70)));
      // 70 remembered, 64 shown: op-00 … op-05 scrolled out.
      expect(status(filled).value).toBe(70);
      expect(status(filled).confirmedOps).toEqual(incremented(ids(6, 70)));

      const duplicate = await run.deliver(operation(run, { op: "incr", id: "op-00" }));

      expect(status(duplicate).value).toBe(70);
      expect(status(duplicate).confirmedOps).toHaveLength(E3_LIMITS.confirmedOpsShown);
      expect(status(duplicate).confirmedOps.at(-1)).toEqual(["op-00", 1]);
      expect(status(duplicate).confirmedOps).toEqual([...incremented(ids(7, 70)), ["op-00", 1]]);
    });

    it("drops an operation that arrives in the same batch as the idle timer's firing, until it is resent", async () => {
      const run = counter();
      await run.start();
      await run.deliver(operation(run, { op: "incr", id: "a" }));
      const timer = run.lastTask(isTimer);
      run.advance(IDLE_MS);

      const quiet = await run.deliver(run.timerFired(timer), operation(run, { op: "incr", id: "b" }));

      expect(quiet.isDone).toBe(true);
      expect(carried(quiet).value).toBe(1);
      expect(status(quiet).confirmedOps).toEqual([["a", 1]]);

      await nextGeneration(run);
      const resent = await run.deliver(operation(run, { op: "incr", id: "b" }));
      expect(status(resent).value).toBe(2);
      expect(status(resent).confirmedOps).toEqual([
        ["a", 1],
        ["b", 2],
      ]);
    });
  });
});
