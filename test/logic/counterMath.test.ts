import { describe, expect, it } from "vitest";
import { addWithinSafeRange, parseSafeInteger } from "../../src/logic/counterMath.js";

const MAX = Number.MAX_SAFE_INTEGER;

describe("addWithinSafeRange", () => {
  it("adds small integers", () => {
    expect(addWithinSafeRange(2, 3)).toEqual({ ok: true, value: 5 });
    expect(addWithinSafeRange(2, -5)).toEqual({ ok: true, value: -3 });
  });

  it("reaches exactly +MAX_SAFE_INTEGER and -MAX_SAFE_INTEGER", () => {
    expect(addWithinSafeRange(MAX - 1, 1)).toEqual({ ok: true, value: MAX });
    expect(addWithinSafeRange(-MAX + 1, -1)).toEqual({ ok: true, value: -MAX });
    expect(addWithinSafeRange(0, MAX)).toEqual({ ok: true, value: MAX });
    expect(addWithinSafeRange(MAX, -MAX)).toEqual({ ok: true, value: 0 });
  });

  it("refuses to step past +MAX_SAFE_INTEGER, naming the range", () => {
    const result = addWithinSafeRange(MAX, 1);
    expect(result).toEqual({
      ok: false,
      reason: `Adding 1 to ${MAX} would leave the safe integer range (±${MAX}).`,
    });
  });

  it("refuses to step past -MAX_SAFE_INTEGER", () => {
    const result = addWithinSafeRange(-MAX, -1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`Adding -1 to ${-MAX}`);
    expect(result.reason).toContain("safe integer range");
  });

  it("refuses a sum far beyond the range", () => {
    expect(addWithinSafeRange(MAX, MAX).ok).toBe(false);
  });

  it.each([
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [2 ** 53, "9007199254740992"],
  ])("refuses the amount %s because it is not a safe integer", (amount, shown) => {
    expect(addWithinSafeRange(0, amount)).toEqual({
      ok: false,
      reason: `The amount ${shown} is not a safe integer.`,
    });
  });
});

describe("parseSafeInteger", () => {
  it.each([0, 1, -1, 42, MAX, -MAX])("accepts the number %s as it is", (value) => {
    expect(parseSafeInteger(value)).toBe(value);
  });

  it.each([
    ["10", 10],
    [" 7 ", 7],
    ["+3", 3],
    ["-4", -4],
    ["0", 0],
    ["9007199254740991", MAX],
    ["-9007199254740991", -MAX],
  ])("accepts the string %j as %d", (text, value) => {
    expect(parseSafeInteger(text)).toBe(value);
  });

  it.each([
    [1.5, "1.5 is not a safe integer."],
    [Number.NaN, "NaN is not a safe integer."],
    [Number.POSITIVE_INFINITY, "Infinity is not a safe integer."],
    [Number.NEGATIVE_INFINITY, "-Infinity is not a safe integer."],
    [2 ** 53, "9007199254740992 is not a safe integer."],
    [-(2 ** 53), "-9007199254740992 is not a safe integer."],
  ])("refuses the number %s", (value, reason) => {
    expect(parseSafeInteger(value)).toEqual({ reason });
  });

  it("refuses JSON's 1e309, which parses to Infinity", () => {
    const parsed: unknown = JSON.parse("1e309");
    expect(parsed).toBe(Number.POSITIVE_INFINITY);
    expect(parseSafeInteger(parsed)).toEqual({ reason: "Infinity is not a safe integer." });
  });

  it("refuses a 16-digit string beyond the safe range instead of rounding it", () => {
    // Number("9007199254740993") would silently round to 9007199254740992.
    expect(parseSafeInteger("9007199254740993")).toEqual({
      reason: "9007199254740993 is beyond the safe integer range.",
    });
    expect(parseSafeInteger("9007199254740992")).toEqual({
      reason: "9007199254740992 is beyond the safe integer range.",
    });
  });

  it.each(["1e3", "0x10", "", "   ", "abc", "1.5", "1.0", "- 4", "++3", "12345678901234567", "Infinity", "NaN", "١٢"])(
    "refuses the string %j as not an integer",
    (text) => {
      expect(parseSafeInteger(text)).toEqual({ reason: `'${text}' is not an integer.` });
    },
  );

  it("quotes at most 40 characters of a refused string", () => {
    const long = "x".repeat(100);
    expect(parseSafeInteger(long)).toEqual({ reason: `'${"x".repeat(40)}' is not an integer.` });
  });

  it.each([
    [null, "null"],
    [true, "a boolean"],
    [[], "an array"],
    [[5], "an array"],
  ])("refuses the non-number %j, naming its type", (value, type) => {
    expect(parseSafeInteger(value)).toEqual({ reason: `Expected an integer but got ${type}.` });
  });

  it.each([{}, { value: 1 }, undefined])("refuses %j", (value) => {
    const result = parseSafeInteger(value);
    expect(typeof result).toBe("object");
    expect(result).toHaveProperty("reason", expect.stringMatching(/^Expected an integer but got /));
  });
});
