import { describe, expect, it } from "vitest";
import {
  CounterOperationError,
  DEFAULT_ADD_AMOUNT,
  DEFAULT_COUNTER_ID,
  parseCounterCommand,
  resolveAddAmount,
  resolveCommandAmount,
  runCounterOperation,
  validateCounterId,
} from "../../src/logic/counterEntity.js";
import { errorThrownBy, validationErrorOf } from "../support/thrownErrors.js";

const MAX = Number.MAX_SAFE_INTEGER;

function operationErrorOf(action: () => unknown): CounterOperationError {
  const error = errorThrownBy(action);
  if (error instanceof CounterOperationError) return error;
  throw error;
}

describe("runCounterOperation", () => {
  it("defaults to the constants the routes document", () => {
    expect(DEFAULT_COUNTER_ID).toBe("counter");
    expect(DEFAULT_ADD_AMOUNT).toBe(1);
  });

  it.each([undefined, null])("add with input %j adds 1", (input) => {
    expect(runCounterOperation(5, "add", input)).toEqual({ state: 6, result: 6 });
  });

  it("add adds the given amount and returns the new value", () => {
    expect(runCounterOperation(5, "add", 10)).toEqual({ state: 15, result: 15 });
  });

  it("add takes negative amounts", () => {
    expect(runCounterOperation(5, "add", -8)).toEqual({ state: -3, result: -3 });
  });

  it("add reaches MAX_SAFE_INTEGER exactly", () => {
    expect(runCounterOperation(MAX - 2, "add", 2)).toEqual({ state: MAX, result: MAX });
  });

  it("add refuses to leave the safe integer range with a CounterOperationError", () => {
    const error = operationErrorOf(() => runCounterOperation(MAX, "add", 1));
    expect(error.name).toBe("CounterOperationError");
    expect(error.message).toBe(`add refused: Adding 1 to ${MAX} would leave the safe integer range (±${MAX}).`);
  });

  it("serialises its error as the message string, as the SDK stores JSON.stringify(error)", () => {
    const error = operationErrorOf(() => runCounterOperation(-MAX, "add", -1));
    expect(JSON.stringify(error)).toBe(JSON.stringify(error.message));
    expect(JSON.parse(JSON.stringify(error))).toBe(error.message);
    expect(error.message).toMatch(/^add refused: Adding -1 to -9007199254740991/);
    // A plain Error would serialise as "{}", hiding the reason from the caller.
    expect(JSON.stringify(new Error("hidden"))).toBe("{}");
  });

  it("add accepts a numeric string, as parseSafeInteger does", () => {
    expect(runCounterOperation(5, "add", "5")).toEqual({ state: 10, result: 10 });
    expect(runCounterOperation(5, "add", " -2 ")).toEqual({ state: 3, result: 3 });
  });

  it.each([
    [1.5, "add refused: 1.5 is not a safe integer."],
    ["1.5", "add refused: '1.5' is not an integer."],
    ["abc", "add refused: 'abc' is not an integer."],
    [true, "add refused: Expected an integer but got a boolean."],
    [[1], "add refused: Expected an integer but got an array."],
  ])("add refuses the input %j", (input, message) => {
    const error = operationErrorOf(() => runCounterOperation(5, "add", input));
    expect(error.message).toBe(message);
  });

  it("reset sets the counter to 0 and returns 0", () => {
    expect(runCounterOperation(42, "reset", undefined)).toEqual({ state: 0, result: 0 });
    expect(runCounterOperation(-7, "reset", 99)).toEqual({ state: 0, result: 0 });
  });

  it("get returns the value and keeps it", () => {
    expect(runCounterOperation(42, "get", undefined)).toEqual({ state: 42, result: 42 });
  });

  it.each(["subtract", "Add", "", "delete"])("refuses the unknown operation %j", (operation) => {
    const error = operationErrorOf(() => runCounterOperation(1, operation, 1));
    expect(error.message).toBe(`Counter does not support the operation '${operation}'. Use add, reset or get.`);
  });
});

describe("validateCounterId", () => {
  it("accepts an ordinary id", () => {
    expect(validateCounterId("my-counter")).toBe("my-counter");
    expect(validateCounterId("get")).toBe("get");
  });

  it.each(["add", "reset"])("refuses %j because it names an operation", (id) => {
    const error = validationErrorOf(() => validateCounterId(id));
    expect(error.code).toBe("reserved_id");
    expect(error.message).toBe(`'${id}' names an operation and cannot be used as a counter id.`);
  });

  it("applies the resource id rules", () => {
    const error = validationErrorOf(() => validateCounterId("a/b"));
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe("The counter id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.");
    expect(validationErrorOf(() => validateCounterId(undefined)).message).toBe("The counter id is missing.");
  });
});

describe("parseCounterCommand", () => {
  it.each([
    ["add", undefined, { id: "counter", operation: "add" }],
    ["reset", undefined, { id: "counter", operation: "reset" }],
    ["add", "", { id: "counter", operation: "add" }],
    ["mine", undefined, { id: "mine", operation: "add" }],
    ["mine", "", { id: "mine", operation: "add" }],
    ["mine", "add", { id: "mine", operation: "add" }],
    ["mine", "reset", { id: "mine", operation: "reset" }],
    ["counter", "reset", { id: "counter", operation: "reset" }],
  ] as const)("counter/%s/%s → %j", (target, operation, command) => {
    expect(parseCounterCommand(target, operation)).toEqual(command);
  });

  it.each(["get", "x", "ADD", "Reset"])("refuses the operation %j", (operation) => {
    const error = validationErrorOf(() => parseCounterCommand("mine", operation));
    expect(error.code).toBe("unknown_operation");
    expect(error.message).toBe(`Unknown counter operation '${operation}'. Use add or reset.`);
  });

  it("quotes at most 40 characters of an unknown operation", () => {
    const error = validationErrorOf(() => parseCounterCommand("mine", "y".repeat(200)));
    expect(error.message).toBe(`Unknown counter operation '${"y".repeat(40)}'. Use add or reset.`);
  });

  it.each([
    ["add", "add"],
    ["add", "reset"],
    ["reset", "add"],
    ["reset", "reset"],
  ])("refuses counter/%s/%s: the operation names are reserved as ids", (target, operation) => {
    const error = validationErrorOf(() => parseCounterCommand(target, operation));
    expect(error.code).toBe("reserved_id");
  });

  it.each([
    [undefined, undefined],
    [undefined, "add"],
    ["", undefined],
    ["a#b", "reset"],
    [" padded", undefined],
  ])("refuses the target %j (operation %j) as an invalid id", (target, operation) => {
    const error = validationErrorOf(() => parseCounterCommand(target, operation));
    expect(error.code).toBe("invalid_id");
  });
});

describe("resolveAddAmount", () => {
  it("defaults to 1 when neither query nor body gives an amount", () => {
    expect(resolveAddAmount(null, undefined)).toBe(1);
  });

  it.each([
    ["5", 5],
    ["-3", -3],
    [" 12 ", 12],
  ])("reads ?value=%s", (query, amount) => {
    expect(resolveAddAmount(query, undefined)).toBe(amount);
  });

  it("reads a raw number body (curl -d \"10\")", () => {
    expect(resolveAddAmount(null, 10)).toBe(10);
    expect(resolveAddAmount(null, -4)).toBe(-4);
    expect(resolveAddAmount(null, 0)).toBe(0);
  });

  it('reads {"value": n} from the body', () => {
    expect(resolveAddAmount(null, { value: 7 })).toBe(7);
  });

  it.each([
    ["5", 3],
    ["5", { value: 3 }],
    ["5", { value: 5 }],
  ])("refuses ?value=%s together with the body %j as ambiguous", (query, body) => {
    const error = validationErrorOf(() => resolveAddAmount(query, body));
    expect(error.code).toBe("ambiguous_amount");
    expect(error.message).toBe("Give the amount either as ?value= or in the body, not both.");
  });

  it.each([
    ["abc", "value: 'abc' is not an integer."],
    ["", "value: '' is not an integer."],
    ["1.5", "value: '1.5' is not an integer."],
    ["9007199254740993", "value: 9007199254740993 is beyond the safe integer range."],
  ])("refuses ?value=%j", (query, message) => {
    const error = validationErrorOf(() => resolveAddAmount(query, undefined));
    expect(error.code).toBe("invalid_amount");
    expect(error.message).toBe(message);
  });

  it.each([
    [{ value: 1.5 }, "invalid_amount", "value: 1.5 is not a safe integer."],
    [1.5, "invalid_amount", "value: 1.5 is not a safe integer."],
    [2 ** 53, "invalid_amount", "value: 9007199254740992 is not a safe integer."],
    [{ value: null }, "invalid_amount", "value: Expected an integer but got null."],
    [{ other: 1 }, "invalid_body", `Unexpected field 'other'; send {"value": n}.`],
    [{ value: 1, extra: true }, "invalid_body", `Unexpected field 'extra'; send {"value": n}.`],
    [{}, "invalid_body", 'The body needs a "value" field.'],
    ["10", "invalid_amount", 'The body must be an integer or {"value": n}.'],
    [true, "invalid_amount", 'The body must be an integer or {"value": n}.'],
    [null, "invalid_amount", 'The body must be an integer or {"value": n}.'],
    [[10], "invalid_amount", 'The body must be an integer or {"value": n}.'],
  ])("refuses the body %j with %s", (body, code, message) => {
    const error = validationErrorOf(() => resolveAddAmount(null, body));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('reads a numeric string inside {"value": "5"}, as parseSafeInteger does', () => {
    expect(resolveAddAmount(null, { value: "5" })).toBe(5);
  });

  it("checks the body's shape before the ambiguity", () => {
    expect(validationErrorOf(() => resolveAddAmount("5", { other: 1 })).code).toBe("invalid_body");
  });
});

describe("resolveCommandAmount", () => {
  it("resolves add's amount as resolveAddAmount does", () => {
    expect(resolveCommandAmount("add", "4", undefined)).toBe(4);
    expect(resolveCommandAmount("add", null, undefined)).toBe(DEFAULT_ADD_AMOUNT);
  });

  it("gives reset no amount", () => {
    expect(resolveCommandAmount("reset", null, undefined)).toBeUndefined();
  });

  it.each([
    ["a ?value=", "3", undefined],
    ["a body", null, { value: 3 }],
    ["a zero body", null, 0],
  ])("refuses %s on reset with unexpected_amount", (_case, query, body) => {
    const error = validationErrorOf(() => resolveCommandAmount("reset", query, body));
    expect(error.code).toBe("unexpected_amount");
  });
});
