import { beforeAll, describe, expect, it } from "vitest";
import { invocationContext, loadApp, registeredFunction } from "../support/functionsHost.js";
import { EntityNames } from "../../src/names.js";

/**
 * The Counter entity through the SDK's Entity wrapper, exactly as the worker calls it: an entity
 * trigger input in the extension's shape, the batch's output back (results, state, existence).
 */

interface OperationRequest {
  name: string;
  input?: string;
}

interface EntityTriggerInput {
  self: { name: string; key: string };
  exists: boolean;
  state: string | null;
  batch: { name: string; input?: string; id: string; isSignal: boolean }[];
}

interface EntityBatchOutput {
  entityExists: boolean;
  entityState: string | null | undefined;
  results: { isError: boolean; duration: number; startTime: number; result?: string }[];
  signals: unknown[];
}

let requestCounter = 0;

function triggerInput(state: string | null, operations: OperationRequest[], key = "test-counter"): EntityTriggerInput {
  return {
    self: { name: EntityNames.counter, key },
    exists: state !== null,
    state,
    batch: operations.map((operation) => ({
      name: operation.name,
      ...(operation.input === undefined ? {} : { input: operation.input }),
      id: `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, "0")}`,
      isSignal: false,
    })),
  };
}

async function runBatch(state: string | null, operations: OperationRequest[]): Promise<EntityBatchOutput> {
  const fn = registeredFunction(EntityNames.counter);
  return (await fn.handler(triggerInput(state, operations), invocationContext(fn))) as EntityBatchOutput;
}

/** Each result as the caller sees it: an error flag and the JSON-parsed result. */
function outcomes(output: EntityBatchOutput): { isError: boolean; value: unknown }[] {
  return output.results.map((result) => ({
    isError: result.isError,
    value: result.result === undefined ? undefined : (JSON.parse(result.result) as unknown),
  }));
}

beforeAll(async () => {
  await loadApp();
});

describe("Counter entity", () => {
  it("applies a batch of operations on a new entity in order and reports each result", async () => {
    const output = await runBatch(null, [
      { name: "add" },
      { name: "add", input: "5" },
      { name: "add", input: "-2" },
      { name: "get" },
    ]);

    expect(output.results.map((result) => result.result)).toEqual(["1", "6", "4", "4"]);
    expect(output.results.map((result) => result.isError)).toEqual([false, false, false, false]);
    for (const result of output.results) {
      expect(typeof result.duration).toBe("number");
      expect(typeof result.startTime).toBe("number");
    }
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("4");
    expect(output.signals).toEqual([]);
  });

  it("reset sets the counter back to 0", async () => {
    const output = await runBatch("42", [{ name: "reset" }, { name: "get" }]);

    expect(outcomes(output)).toEqual([
      { isError: false, value: 0 },
      { isError: false, value: 0 },
    ]);
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("0");
  });

  it("refuses an unsupported operation in the middle of a batch, leaves the state alone and applies later operations", async () => {
    const output = await runBatch("10", [
      { name: "add", input: "2" },
      { name: "multiply", input: "3" },
      { name: "add" },
      { name: "get" },
    ]);

    expect(outcomes(output)).toEqual([
      { isError: false, value: 12 },
      { isError: true, value: "Counter does not support the operation 'multiply'. Use add, reset or get." },
      { isError: false, value: 13 },
      { isError: false, value: 13 },
    ]);
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("13");
  });

  it("an unsupported operation alone leaves the state exactly as it was", async () => {
    const output = await runBatch("7", [{ name: "multiply" }]);

    expect(outcomes(output)).toEqual([
      { isError: true, value: "Counter does not support the operation 'multiply'. Use add, reset or get." },
    ]);
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("7");
  });

  it("refuses an add that would leave the safe integer range, keeping the state", async () => {
    const start = String(Number.MAX_SAFE_INTEGER - 1);
    const output = await runBatch(start, [{ name: "add", input: "5" }, { name: "get" }]);

    expect(output.results[0]?.isError).toBe(true);
    // CounterOperationError.toJSON makes the stored error the message itself, not "{}".
    const error: unknown = JSON.parse(output.results[0]?.result ?? "null");
    expect(error).toBe(
      `add refused: Adding 5 to ${Number.MAX_SAFE_INTEGER - 1} would leave the safe integer range (±${Number.MAX_SAFE_INTEGER}).`,
    );
    expect(outcomes(output)[1]).toEqual({ isError: false, value: Number.MAX_SAFE_INTEGER - 1 });
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe(start);
  });

  it("refuses a fractional amount, keeping the state", async () => {
    const output = await runBatch("3", [{ name: "add", input: "1.5" }]);

    expect(outcomes(output)).toEqual([{ isError: true, value: "add refused: 1.5 is not a safe integer." }]);
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("3");
  });

  it("refuses a numeric string amount that is not an integer, keeping the state", async () => {
    const output = await runBatch("3", [{ name: "add", input: JSON.stringify("2x") }]);

    expect(outcomes(output)).toEqual([{ isError: true, value: "add refused: '2x' is not an integer." }]);
    expect(output.entityState).toBe("3");
  });

  it("get on a never-written entity answers 0 without bringing it into existence", async () => {
    const output = await runBatch(null, [{ name: "get" }]);

    expect(outcomes(output)).toEqual([{ isError: false, value: 0 }]);
    // The SDK's context.df.return() marks the entity as existing; the entity undoes that for a read of
    // a new one (destructOnExit). HTTP reads never run the entity (readEntityState), but an
    // orchestration's callEntity "get" does, and must not create the counter GET counter/{id} 404s on.
    expect(output.entityExists).toBe(false);
    expect(output.entityState ?? null).toBeNull();
  });

  it("a signalled get on a never-written entity does not bring it into existence either", async () => {
    const fn = registeredFunction(EntityNames.counter);
    const input = triggerInput(null, [{ name: "get" }, { name: "get" }]);
    for (const operation of input.batch) operation.isSignal = true;

    const output = (await fn.handler(input, invocationContext(fn))) as EntityBatchOutput;

    expect(outcomes(output)).toEqual([
      { isError: false, value: 0 },
      { isError: false, value: 0 },
    ]);
    expect(output.entityExists).toBe(false);
    expect(output.entityState ?? null).toBeNull();
  });

  it("a get before the first add in a batch leaves the counter the add creates", async () => {
    const output = await runBatch(null, [{ name: "get" }, { name: "add", input: "2" }, { name: "get" }]);

    expect(outcomes(output).map((outcome) => outcome.value)).toEqual([0, 2, 2]);
    expect(output.entityExists).toBe(true);
    expect(output.entityState).toBe("2");
  });

  it("a refused operation on a never-written entity does not bring it into existence", async () => {
    const output = await runBatch(null, [{ name: "add", input: "1.5" }]);

    expect(outcomes(output)).toEqual([{ isError: true, value: "add refused: 1.5 is not a safe integer." }]);
    expect(output.entityExists).toBe(false);
    expect(output.entityState).toBeNull();
  });
});
