import { describe, expect, it } from "vitest";
import {
  applyToValue,
  E3_LIMITS,
  forgetExpired,
  hasApplied,
  isCounterOperationName,
  nextExpiryMs,
  parseCounterOperation,
  readCounterStatus,
  remember,
  stateFromInput,
  stateToInput,
  statusOf,
  type E3CounterState,
  type RememberedOperation,
} from "../../src/logic/e3CounterState.js";

const MAX = Number.MAX_SAFE_INTEGER;
const T0 = Date.UTC(2024, 0, 1);

function stateWith(value: number, recentOps: RememberedOperation[] = []): E3CounterState {
  return { value, recentOps };
}

/** Remembers op-0 … op-(count-1), one millisecond apart, starting at T0. */
function rememberMany(count: number, state: E3CounterState = stateWith(0)): E3CounterState {
  let result = state;
  for (let index = 0; index < count; index += 1) result = remember(result, `op-${index}`, T0 + index);
  return result;
}

describe("parseCounterOperation", () => {
  it.each(["incr", "decr", "end"] as const)("accepts the bare %j", (op) => {
    expect(parseCounterOperation(op)).toEqual({ op });
  });

  it("accepts { op, id }", () => {
    expect(parseCounterOperation({ op: "incr", id: "abc-1" })).toEqual({ op: "incr", id: "abc-1" });
    expect(parseCounterOperation({ op: "decr", id: "x" })).toEqual({ op: "decr", id: "x" });
  });

  it("accepts { op } without an id", () => {
    expect(parseCounterOperation({ op: "end" })).toEqual({ op: "end" });
  });

  it(`accepts an id of exactly ${E3_LIMITS.maxOpIdLength} characters`, () => {
    expect(E3_LIMITS.maxOpIdLength).toBe(64);
    const id = "i".repeat(64);
    expect(parseCounterOperation({ op: "incr", id })).toEqual({ op: "incr", id });
  });

  it.each([
    ["an empty id", { op: "incr", id: "" }],
    ["a 65-character id", { op: "incr", id: "i".repeat(65) }],
    ["a numeric id", { op: "incr", id: 7 }],
    ["a null id", { op: "incr", id: null }],
  ])("refuses %s", (_what, payload) => {
    expect(parseCounterOperation(payload)).toBeUndefined();
  });

  it.each([
    "INCR",
    "reset",
    "",
    " incr",
    5,
    null,
    undefined,
    true,
    ["incr"],
    {},
    { op: "add" },
    { op: 1, id: "x" },
    { operation: "incr" },
  ])("refuses %j", (payload) => {
    expect(parseCounterOperation(payload)).toBeUndefined();
  });

  it("isCounterOperationName knows exactly incr, decr and end", () => {
    expect(["incr", "decr", "end", "get", 1, undefined].map(isCounterOperationName)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("stateFromInput", () => {
  it.each([undefined, null])("starts %j at 0 with nothing remembered", (input) => {
    expect(stateFromInput(input)).toEqual({ value: 0, recentOps: [] });
  });

  it.each([0, 5, -5, MAX, -MAX])("starts the number %d as it is", (input) => {
    expect(stateFromInput(input)).toEqual({ value: input, recentOps: [] });
  });

  it("reads a carried state", () => {
    const carried = { value: 3, recentOps: [["a", T0] as RememberedOperation, ["b", T0 + 1] as RememberedOperation] };
    expect(stateFromInput(carried)).toEqual({ value: 3, recentOps: [["a", T0], ["b", T0 + 1]] });
  });

  it("drops malformed remembered entries from a carried state", () => {
    const carried = { value: 3, recentOps: [["a", T0], ["b"], [1, T0], "c", ["d", "later"], ["e", T0, 1], ["f", T0 + 1]] };
    expect(stateFromInput(carried)).toEqual({ value: 3, recentOps: [["a", T0], ["f", T0 + 1]] });
  });

  it.each([
    1.5,
    2 ** 53,
    Number.NaN,
    "5",
    true,
    [],
    {},
    { value: 1 },
    { value: 1.5, recentOps: [] },
    { value: "1", recentOps: [] },
    { value: 1, recentOps: "none" },
  ])("refuses %j with a TypeError", (input) => {
    expect(() => stateFromInput(input)).toThrow(TypeError);
    expect(() => stateFromInput(input)).toThrow(/^E3_Counter needs an integer start value, got /);
  });
});

describe("stateToInput", () => {
  it("is the bare value when no ids are remembered", () => {
    expect(stateToInput(stateWith(7))).toBe(7);
  });

  it("carries the value and the ids when ids are remembered", () => {
    const state = stateWith(7, [["a", T0]]);
    expect(stateToInput(state)).toEqual({ value: 7, recentOps: [["a", T0]] });
  });

  it("round-trips through stateFromInput and JSON", () => {
    const state = rememberMany(3, stateWith(-2));
    expect(stateFromInput(JSON.parse(JSON.stringify(stateToInput(state))))).toEqual(state);
    expect(stateFromInput(JSON.parse(JSON.stringify(stateToInput(stateWith(9)))))).toEqual(stateWith(9));
  });
});

describe("remember and hasApplied", () => {
  it("appends a new id with its time and keeps the value", () => {
    const state = remember(stateWith(4, [["a", T0]]), "b", T0 + 5);
    expect(state).toEqual({ value: 4, recentOps: [["a", T0], ["b", T0 + 5]] });
    expect(hasApplied(state, "a")).toBe(true);
    expect(hasApplied(state, "b")).toBe(true);
    expect(hasApplied(state, "c")).toBe(false);
  });

  it("does not change the state it was given", () => {
    const original = stateWith(1, [["a", T0]]);
    remember(original, "b", T0 + 1);
    expect(original).toEqual(stateWith(1, [["a", T0]]));
  });

  it("moves a re-remembered id to the end with the new time", () => {
    const state = rememberMany(3);
    const again = remember(state, "op-0", T0 + 100);
    expect(again.recentOps).toEqual([
      ["op-1", T0 + 1],
      ["op-2", T0 + 2],
      ["op-0", T0 + 100],
    ]);
  });

  it(`keeps only the newest ${E3_LIMITS.maxRememberedOps} ids`, () => {
    expect(E3_LIMITS.maxRememberedOps).toBe(500);
    const full = rememberMany(E3_LIMITS.maxRememberedOps);
    expect(full.recentOps).toHaveLength(500);
    expect(full.recentOps[0]).toEqual(["op-0", T0]);

    const over = remember(full, "newest", T0 + 1000);
    expect(over.recentOps).toHaveLength(500);
    expect(over.recentOps[0]).toEqual(["op-1", T0 + 1]);
    expect(over.recentOps[499]).toEqual(["newest", T0 + 1000]);
    expect(hasApplied(over, "op-0")).toBe(false);
  });

  it("does not evict anything when a remembered id is re-remembered at the cap", () => {
    const full = rememberMany(E3_LIMITS.maxRememberedOps);
    const again = remember(full, "op-0", T0 + 1000);
    expect(again.recentOps).toHaveLength(500);
    expect(again.recentOps[0]).toEqual(["op-1", T0 + 1]);
    expect(again.recentOps[499]).toEqual(["op-0", T0 + 1000]);
  });
});

describe("forgetExpired and nextExpiryMs", () => {
  const state = stateWith(1, [
    ["old", T0],
    ["new", T0 + 1000],
  ]);

  it("remembers ids for ten minutes", () => {
    expect(E3_LIMITS.rememberMs).toBe(600_000);
  });

  it("keeps an id one millisecond before it expires", () => {
    expect(forgetExpired(state, T0 + E3_LIMITS.rememberMs - 1).recentOps).toEqual([
      ["old", T0],
      ["new", T0 + 1000],
    ]);
  });

  it("forgets an id exactly rememberMs after it was applied", () => {
    expect(forgetExpired(state, T0 + E3_LIMITS.rememberMs)).toEqual({ value: 1, recentOps: [["new", T0 + 1000]] });
  });

  it("forgets everything once the newest id expires", () => {
    expect(forgetExpired(state, T0 + 1000 + E3_LIMITS.rememberMs)).toEqual({ value: 1, recentOps: [] });
  });

  it("nextExpiryMs is when the oldest id expires, the moment forgetExpired drops it", () => {
    const expiry = nextExpiryMs(state);
    expect(expiry).toBe(T0 + E3_LIMITS.rememberMs);
    if (expiry === undefined) return;
    expect(hasApplied(forgetExpired(state, expiry - 1), "old")).toBe(true);
    expect(hasApplied(forgetExpired(state, expiry), "old")).toBe(false);
  });

  it("nextExpiryMs is undefined when nothing is remembered", () => {
    expect(nextExpiryMs(stateWith(3))).toBeUndefined();
  });
});

describe("applyToValue", () => {
  it("incr adds one and decr subtracts one", () => {
    expect(applyToValue(0, "incr")).toBe(1);
    expect(applyToValue(0, "decr")).toBe(-1);
    expect(applyToValue(-1, "incr")).toBe(0);
  });

  it("refuses to step past MAX_SAFE_INTEGER in either direction", () => {
    expect(applyToValue(MAX - 1, "incr")).toBe(MAX);
    expect(applyToValue(MAX, "incr")).toBeUndefined();
    expect(applyToValue(MAX, "decr")).toBe(MAX - 1);
    expect(applyToValue(-MAX, "decr")).toBeUndefined();
    expect(applyToValue(-MAX, "incr")).toBe(-MAX + 1);
  });
});

describe("statusOf", () => {
  it("shows the value and the remembered ids, newest last", () => {
    expect(statusOf(rememberMany(3, stateWith(8)))).toEqual({ value: 8, confirmedOps: ["op-0", "op-1", "op-2"] });
    expect(statusOf(stateWith(8))).toEqual({ value: 8, confirmedOps: [] });
  });

  it(`shows at most the newest ${E3_LIMITS.confirmedOpsShown} ids`, () => {
    expect(E3_LIMITS.confirmedOpsShown).toBe(100);
    const status = statusOf(rememberMany(150));
    expect(status.confirmedOps).toHaveLength(100);
    expect(status.confirmedOps[0]).toBe("op-50");
    expect(status.confirmedOps[99]).toBe("op-149");
  });

  it("round-trips through readCounterStatus", () => {
    const status = statusOf(rememberMany(2, stateWith(-4)));
    expect(readCounterStatus(JSON.parse(JSON.stringify(status)))).toEqual(status);
  });
});

describe("readCounterStatus", () => {
  it("reads a well-formed status", () => {
    expect(readCounterStatus({ value: 3, confirmedOps: ["a", "b"] })).toEqual({ value: 3, confirmedOps: ["a", "b"] });
  });

  it("drops non-string ids and extra fields", () => {
    expect(readCounterStatus({ value: 3, confirmedOps: ["a", 1, null, "b"], extra: true })).toEqual({
      value: 3,
      confirmedOps: ["a", "b"],
    });
  });

  it.each([
    undefined,
    null,
    "",
    "running",
    3,
    [],
    {},
    { value: 3 },
    { confirmedOps: [] },
    { value: "3", confirmedOps: [] },
    { value: 3, confirmedOps: "a" },
  ])("is undefined for %j", (customStatus) => {
    expect(readCounterStatus(customStatus)).toBeUndefined();
  });
});
