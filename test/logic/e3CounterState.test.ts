import { describe, expect, it } from "vitest";
import {
  applyOperation,
  confirmedOutcome,
  E3_LIMITS,
  forgetExpired,
  isCounterOperationName,
  isOperationId,
  nextExpirySeconds,
  parseCounterOperation,
  readCounterStatus,
  remember,
  rememberedOutcome,
  stateFromInput,
  stateToInput,
  statusOf,
  type E3CounterState,
  type RememberedOperation,
} from "../../src/logic/e3CounterState.js";

const MAX = Number.MAX_SAFE_INTEGER;
/** Epoch seconds, as the orchestration remembers times. */
const T0 = Date.UTC(2024, 0, 1) / 1000;
const GENERATION = "2024-01-01T00:00:00.000Z";

function stateWith(value: number, recentOps: RememberedOperation[] = []): E3CounterState {
  return { value, recentOps };
}

/** Remembers op-0 … op-(count-1), one second apart from T0, each with its index + 1 as outcome. */
function rememberMany(count: number, state: E3CounterState = stateWith(0)): E3CounterState {
  let result = state;
  for (let index = 0; index < count; index += 1) result = remember(result, `op-${index}`, T0 + index, index + 1);
  return result;
}

describe("E3_LIMITS", () => {
  it("has the documented limits", () => {
    expect(E3_LIMITS).toEqual({
      rememberSeconds: 600,
      maxRememberedOps: 2000,
      confirmedOpsShown: 64,
      newOperationsPerGeneration: 50,
      maxEventsPerGeneration: 300,
      idleSeconds: 1,
    });
  });
});

describe("isOperationId", () => {
  it.each(["a", "Z", "0", "order-42", "snake_case", "A-z_0-9", "i".repeat(64), "5b0c7a1e-2d4f-4c8a-9b6e-0f1a2b3c4d5e"])(
    "accepts %j",
    (id) => {
      expect(isOperationId(id)).toBe(true);
    },
  );

  it.each(["", "i".repeat(65), "a b", " a", "a.b", "a/b", "a:b", "a+b", "clé", "ключ", "a\n", 7, null, undefined, ["a"]])(
    "refuses %j",
    (id) => {
      expect(isOperationId(id)).toBe(false);
    },
  );
});

describe("parseCounterOperation", () => {
  it.each(["incr", "decr", "end"] as const)("accepts the bare %j", (op) => {
    expect(parseCounterOperation(op)).toEqual({ op });
  });

  it("accepts { op, id }", () => {
    expect(parseCounterOperation({ op: "incr", id: "abc-1" })).toEqual({ op: "incr", id: "abc-1" });
    expect(parseCounterOperation({ op: "decr", id: "x" })).toEqual({ op: "decr", id: "x" });
    expect(parseCounterOperation({ op: "end", id: "Order_42" })).toEqual({ op: "end", id: "Order_42" });
  });

  it("accepts { op } without an id", () => {
    expect(parseCounterOperation({ op: "end" })).toEqual({ op: "end" });
  });

  it("accepts an id of exactly 64 characters", () => {
    const id = "i".repeat(64);
    expect(parseCounterOperation({ op: "incr", id })).toEqual({ op: "incr", id });
  });

  it.each([
    ["an empty id", { op: "incr", id: "" }],
    ["a 65-character id", { op: "incr", id: "i".repeat(65) }],
    ["an id with a space", { op: "incr", id: "a b" }],
    ["an id with a dot", { op: "incr", id: "a.b" }],
    ["an id with a slash", { op: "incr", id: "a/b" }],
    ["a non-ASCII id", { op: "incr", id: "clé" }],
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

  it("reads a carried state, refused operations included", () => {
    const carried = {
      value: 3,
      recentOps: [
        ["a", T0, 1],
        ["b", T0 + 1, null],
      ],
    };
    expect(stateFromInput(carried)).toEqual({
      value: 3,
      recentOps: [
        ["a", T0, 1],
        ["b", T0 + 1, null],
      ],
    });
  });

  it("drops remembered entries of the wrong shape from a carried state", () => {
    const carried = {
      value: 3,
      recentOps: [
        ["a", T0, 1],
        ["b"],
        ["c", T0],
        [1, T0, 1],
        "d",
        ["e", "later", 1],
        ["f", T0, 1.5],
        ["g", T0, "1"],
        ["h", T0, 1, "extra"],
        ["i", T0, 2 ** 53],
        null,
        ["j", T0 + 1, null],
      ],
    };
    expect(stateFromInput(carried)).toEqual({
      value: 3,
      recentOps: [
        ["a", T0, 1],
        ["j", T0 + 1, null],
      ],
    });
  });

  it.each([
    1.5,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "5",
    true,
    [],
    {},
    { value: 1 },
    { recentOps: [] },
    { value: 1.5, recentOps: [] },
    { value: Number.NaN, recentOps: [] },
    { value: "1", recentOps: [] },
    { value: 1, recentOps: "none" },
    { value: 1, recentOps: {} },
  ])("refuses %j with a TypeError", (input) => {
    expect(() => stateFromInput(input)).toThrow(TypeError);
    expect(() => stateFromInput(input)).toThrow(/^E3_Counter needs a safe integer start value, got /);
  });

  it.each([
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    [2 ** 53, "9007199254740992"],
    ["5", '"5"'],
    [{ value: 1 }, '{"value":1}'],
  ])("names the refused input %j in its message", (input, shown) => {
    expect(() => stateFromInput(input)).toThrow(`E3_Counter needs a safe integer start value, got ${shown}.`);
  });
});

describe("stateToInput", () => {
  it("is the bare value when no ids are remembered", () => {
    expect(stateToInput(stateWith(7))).toBe(7);
  });

  it("is the state itself when ids are remembered", () => {
    const state = stateWith(7, [["a", T0, 7]]);
    expect(stateToInput(state)).toBe(state);
    expect(stateToInput(state)).toEqual({ value: 7, recentOps: [["a", T0, 7]] });
  });

  it("round-trips through stateFromInput and JSON", () => {
    const state = remember(rememberMany(3, stateWith(-2)), "refused", T0 + 10, null);
    expect(stateFromInput(JSON.parse(JSON.stringify(stateToInput(state))))).toEqual(state);
    expect(stateFromInput(JSON.parse(JSON.stringify(stateToInput(stateWith(9)))))).toEqual(stateWith(9));
  });
});

describe("remember and rememberedOutcome", () => {
  it("appends a new id with its time and outcome and keeps the value", () => {
    const state = remember(stateWith(4, [["a", T0, 4]]), "b", T0 + 5, null);
    expect(state).toEqual({
      value: 4,
      recentOps: [
        ["a", T0, 4],
        ["b", T0 + 5, null],
      ],
    });
  });

  it("tells a remembered outcome, a remembered refusal (null) and an unknown id (undefined) apart", () => {
    const state = stateWith(4, [
      ["a", T0, 4],
      ["b", T0 + 5, null],
    ]);
    expect(rememberedOutcome(state, "a")).toBe(4);
    expect(rememberedOutcome(state, "b")).toBeNull();
    expect(rememberedOutcome(state, "c")).toBeUndefined();
  });

  it("does not change the state it was given", () => {
    const original = stateWith(1, [["a", T0, 1]]);
    remember(original, "b", T0 + 1, 2);
    expect(original).toEqual(stateWith(1, [["a", T0, 1]]));
  });

  it("moves a re-remembered id to the end with the new time", () => {
    const again = remember(rememberMany(3), "op-0", T0 + 100, 1);
    expect(again.recentOps).toEqual([
      ["op-1", T0 + 1, 2],
      ["op-2", T0 + 2, 3],
      ["op-0", T0 + 100, 1],
    ]);
  });

  it("keeps only the newest 2000 ids", () => {
    const full = rememberMany(2000);
    expect(full.recentOps).toHaveLength(2000);
    expect(full.recentOps[0]).toEqual(["op-0", T0, 1]);

    const over = remember(full, "newest", T0 + 5000, 2001);
    expect(over.recentOps).toHaveLength(2000);
    expect(over.recentOps[0]).toEqual(["op-1", T0 + 1, 2]);
    expect(over.recentOps[1999]).toEqual(["newest", T0 + 5000, 2001]);
    expect(rememberedOutcome(over, "op-0")).toBeUndefined();
  });

  it("does not evict anything when a remembered id is re-remembered at the cap", () => {
    const again = remember(rememberMany(2000), "op-0", T0 + 5000, 1);
    expect(again.recentOps).toHaveLength(2000);
    expect(again.recentOps[0]).toEqual(["op-1", T0 + 1, 2]);
    expect(again.recentOps[1999]).toEqual(["op-0", T0 + 5000, 1]);
  });
});

describe("forgetExpired and nextExpirySeconds", () => {
  const state = stateWith(1, [
    ["old", T0, 1],
    ["new", T0 + 100, null],
  ]);

  it("keeps an id one second before it expires", () => {
    expect(forgetExpired(state, T0 + 599)).toEqual(state);
  });

  it("forgets an id exactly rememberSeconds after it was applied, and keeps the value", () => {
    expect(forgetExpired(state, T0 + 600)).toEqual({ value: 1, recentOps: [["new", T0 + 100, null]] });
  });

  it("forgets everything once the newest id expires", () => {
    expect(forgetExpired(state, T0 + 700)).toEqual({ value: 1, recentOps: [] });
  });

  it("nextExpirySeconds is when the oldest id expires, the moment forgetExpired drops it", () => {
    const expiry = nextExpirySeconds(state);
    expect(expiry).toBe(T0 + 600);
    if (expiry === undefined) return;
    expect(rememberedOutcome(forgetExpired(state, expiry - 1), "old")).toBe(1);
    expect(rememberedOutcome(forgetExpired(state, expiry), "old")).toBeUndefined();
    expect(nextExpirySeconds(forgetExpired(state, expiry))).toBe(T0 + 700);
  });

  it("nextExpirySeconds is undefined when nothing is remembered", () => {
    expect(nextExpirySeconds(stateWith(3))).toBeUndefined();
  });
});

describe("applyOperation", () => {
  it("applies bare operations and remembers nothing", () => {
    const incremented = applyOperation(stateWith(0), { op: "incr" }, T0);
    expect(incremented).toEqual({ state: stateWith(1), outcome: 1, repeated: false });
    const decremented = applyOperation(incremented.state, { op: "decr" }, T0);
    expect(decremented).toEqual({ state: stateWith(0), outcome: 0, repeated: false });
    expect(applyOperation(stateWith(-1), { op: "decr" }, T0)).toEqual({ state: stateWith(-2), outcome: -2, repeated: false });
  });

  it("applies an operation with an id and remembers it with the value right after it", () => {
    const applied = applyOperation(stateWith(5, [["a", T0, 5]]), { op: "incr", id: "b" }, T0 + 3);
    expect(applied).toEqual({
      state: stateWith(6, [
        ["a", T0, 5],
        ["b", T0 + 3, 6],
      ]),
      outcome: 6,
      repeated: false,
    });
  });

  it("answers a remembered id with its first outcome, changes nothing and moves it to the end", () => {
    let state = stateWith(0);
    state = applyOperation(state, { op: "incr", id: "a" }, T0).state;
    state = applyOperation(state, { op: "incr", id: "b" }, T0 + 1).state;

    const again = applyOperation(state, { op: "incr", id: "a" }, T0 + 10);

    expect(again.outcome).toBe(1);
    expect(again.repeated).toBe(true);
    expect(again.state).toEqual(
      stateWith(2, [
        ["b", T0 + 1, 2],
        ["a", T0 + 10, 1],
      ]),
    );
  });

  it("answers a remembered id with its first outcome whatever operation it comes with", () => {
    const state = stateWith(3, [["a", T0, 3]]);
    expect(applyOperation(state, { op: "decr", id: "a" }, T0 + 1)).toEqual({ state: stateWith(3, [["a", T0 + 1, 3]]), outcome: 3, repeated: true });
  });

  it("'end' answers the current value and changes nothing but the remembered ids", () => {
    expect(applyOperation(stateWith(7), { op: "end" }, T0)).toEqual({ state: stateWith(7), outcome: 7, repeated: false });
    expect(applyOperation(stateWith(7), { op: "end", id: "z" }, T0)).toEqual({ state: stateWith(7, [["z", T0, 7]]), outcome: 7, repeated: false });
  });

  it("steps up to MAX_SAFE_INTEGER and down to its negative", () => {
    expect(applyOperation(stateWith(MAX - 1), { op: "incr" }, T0).outcome).toBe(MAX);
    expect(applyOperation(stateWith(-MAX + 1), { op: "decr" }, T0).outcome).toBe(-MAX);
    expect(applyOperation(stateWith(MAX), { op: "decr" }, T0).outcome).toBe(MAX - 1);
    expect(applyOperation(stateWith(-MAX), { op: "incr" }, T0).outcome).toBe(-MAX + 1);
  });

  it("refuses an 'incr' at MAX_SAFE_INTEGER: outcome null, value unchanged, id remembered with null", () => {
    const refused = applyOperation(stateWith(MAX), { op: "incr", id: "over" }, T0);
    expect(refused).toEqual({ state: stateWith(MAX, [["over", T0, null]]), outcome: null, repeated: false });
  });

  it("refuses a 'decr' at -MAX_SAFE_INTEGER the same way", () => {
    expect(applyOperation(stateWith(-MAX), { op: "decr", id: "under" }, T0)).toEqual({
      state: stateWith(-MAX, [["under", T0, null]]),
      outcome: null,
      repeated: false,
    });
    expect(applyOperation(stateWith(-MAX), { op: "decr" }, T0)).toEqual({ state: stateWith(-MAX), outcome: null, repeated: false });
  });

  it("keeps a refused id refused, even once the value would allow it", () => {
    let state = applyOperation(stateWith(MAX), { op: "incr", id: "over" }, T0).state;
    state = applyOperation(state, { op: "decr" }, T0 + 1).state;
    expect(state.value).toBe(MAX - 1);

    const resent = applyOperation(state, { op: "incr", id: "over" }, T0 + 2);

    expect(resent).toEqual({ state: stateWith(MAX - 1, [["over", T0 + 2, null]]), outcome: null, repeated: true });
  });

  it("does not change the state it was given", () => {
    const original = stateWith(1, [["a", T0, 1]]);
    applyOperation(original, { op: "incr", id: "b" }, T0 + 1);
    applyOperation(original, { op: "incr", id: "a" }, T0 + 1);
    applyOperation(original, { op: "decr" }, T0 + 1);
    expect(original).toEqual(stateWith(1, [["a", T0, 1]]));
  });
});

describe("statusOf", () => {
  it("shows the value, the generation and each remembered id's outcome, newest last", () => {
    const state = remember(rememberMany(3, stateWith(8)), "refused", T0 + 9, null);
    expect(statusOf(state, GENERATION)).toEqual({
      value: 8,
      generation: GENERATION,
      confirmedOps: [
        ["op-0", 1],
        ["op-1", 2],
        ["op-2", 3],
        ["refused", null],
      ],
    });
    expect(statusOf(stateWith(8), GENERATION)).toEqual({ value: 8, generation: GENERATION, confirmedOps: [] });
  });

  it("shows at most the newest 64 outcomes", () => {
    const status = statusOf(rememberMany(150), GENERATION);
    expect(status.confirmedOps).toHaveLength(64);
    expect(status.confirmedOps[0]).toEqual(["op-86", 87]);
    expect(status.confirmedOps[63]).toEqual(["op-149", 150]);
  });

  it("round-trips through readCounterStatus and JSON", () => {
    const status = statusOf(remember(rememberMany(2, stateWith(-4)), "x", T0 + 5, null), GENERATION);
    expect(readCounterStatus(JSON.parse(JSON.stringify(status)))).toEqual(status);
  });
});

describe("readCounterStatus", () => {
  it("reads a well-formed status", () => {
    const status = {
      value: 3,
      generation: GENERATION,
      confirmedOps: [
        ["a", 2],
        ["b", null],
        ["c", 3],
      ],
    };
    expect(readCounterStatus(status)).toEqual(status);
  });

  it("drops entries of the wrong shape and extra fields", () => {
    const status = {
      value: 3,
      generation: GENERATION,
      confirmedOps: [["a", 1], ["b"], ["c", 1, 2], [1, 1], "d", ["e", "1"], ["f", 1.5], null, ["g", null]],
      extra: true,
    };
    expect(readCounterStatus(status)).toEqual({
      value: 3,
      generation: GENERATION,
      confirmedOps: [
        ["a", 1],
        ["g", null],
      ],
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
    { value: 3, generation: GENERATION },
    { value: 3, confirmedOps: [] },
    { generation: GENERATION, confirmedOps: [] },
    { value: "3", generation: GENERATION, confirmedOps: [] },
    { value: 3, generation: 1, confirmedOps: [] },
    { value: 3, generation: GENERATION, confirmedOps: "a" },
  ])("is undefined for %j", (customStatus) => {
    expect(readCounterStatus(customStatus)).toBeUndefined();
  });
});

describe("confirmedOutcome", () => {
  const status = {
    value: 3,
    generation: GENERATION,
    confirmedOps: [
      ["a", 2],
      ["b", null],
    ] as [string, number | null][],
  };

  it("is the outcome the status reports for the id", () => {
    expect(confirmedOutcome(status, "a")).toBe(2);
  });

  it("is null for an id the status reports as refused", () => {
    expect(confirmedOutcome(status, "b")).toBeNull();
  });

  it("is undefined for an id the status does not list, or without a status", () => {
    expect(confirmedOutcome(status, "c")).toBeUndefined();
    expect(confirmedOutcome(undefined, "a")).toBeUndefined();
  });
});
