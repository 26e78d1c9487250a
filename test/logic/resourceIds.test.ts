import { describe, expect, it } from "vitest";
import { hasControlCharacter, MAX_ID_LENGTH, validateResourceId } from "../../src/logic/resourceIds.js";
import { ValidationError } from "../../src/logic/ValidationError.js";
import { validationErrorOf } from "../support/thrownErrors.js";

const RULE = "must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.";

describe("validateResourceId", () => {
  it.each([
    "counter",
    "a",
    "7",
    "order-42_v1.2",
    "Z:9~a-b_c.d",
    "a..",
    "a.",
    "c1",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "a".repeat(MAX_ID_LENGTH),
  ])("accepts %j unchanged", (id) => {
    expect(validateResourceId(id, "instance id")).toBe(id);
  });

  it(`accepts exactly ${MAX_ID_LENGTH} characters and refuses ${MAX_ID_LENGTH + 1}`, () => {
    expect(MAX_ID_LENGTH).toBe(100);
    const hundred = "x".repeat(100);
    expect(validateResourceId(hundred, "instance id")).toBe(hundred);

    const error = validationErrorOf(() => validateResourceId("x".repeat(101), "instance id"));
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe(`The instance id ${RULE}`);
  });

  it.each([
    ["", "The counter id is missing."],
    [undefined, "The counter id is missing."],
  ])("refuses %j as missing", (raw, message) => {
    const error = validationErrorOf(() => validateResourceId(raw, "counter id"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.name).toBe("ValidationError");
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe(message);
  });

  it.each([
    // Above U+00FF: the Location header of the check-status response cannot carry it.
    ["a CJK id", "カウンター"],
    ["an emoji", "🙂-emoji"],
    ["a character above U+00FF after ASCII", "counter\u0100"],
    // Latin-1 fits a header but is not ASCII; the rule keeps ids to what every layer passes unchanged.
    ["a Latin-1 letter", "zähler"],
    ["a no-break space", "nbsp\u00a0"],
    // '@' starts entity scheduler ids, which the extension refuses as instance ids.
    ["a leading @", "@counter@apples"],
    ["an @ inside", "a@b"],
    // `new URL` collapses these path segments.
    ["'.'", "."],
    ["'..'", ".."],
    ["a leading dot", ".hidden"],
    ["a leading dash", "-x"],
    ["a leading underscore", "_x"],
    ["a leading colon", ":x"],
    ["a leading tilde", "~x"],
    ["white space", "with inner spaces"],
    ["leading white space", " ab"],
    ["trailing white space", "ab "],
    ["a tab", "\ttab"],
    ["a slash", "a/b"],
    ["a backslash", "a\\b"],
    ["a #", "a#b"],
    ["a ?", "a?b"],
    ["a %", "a%b"],
    ["a percent-encoding", "%41"],
    ["a +", "a+b"],
    ["an &", "a&b"],
    ["an =", "a=b"],
    ["a ;", "a;b"],
    ["NUL", "a\u0000b"],
    ["a C0 control character", "a\u001fb"],
    ["DEL", "a\u007fb"],
    ["a C1 control character", "a\u0085b"],
    ["a line break", "a\nb"],
  ])("refuses %s (%j) with the rule", (_what, raw) => {
    const error = validationErrorOf(() => validateResourceId(raw, "instance id"));
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe(`The instance id ${RULE}`);
  });

  it("names what it validates in the message", () => {
    expect(validationErrorOf(() => validateResourceId("a b", "counter id")).message).toBe(`The counter id ${RULE}`);
  });

  it("throws a ValidationError that toThrow recognises", () => {
    expect(() => validateResourceId("a/b", "instance id")).toThrow(ValidationError);
  });
});

describe("hasControlCharacter", () => {
  it.each(["\u0000", "\u001f", "\u007f", "\u0080", "\u0085", "\u009f", "ok\u0000", "line\nbreak"])(
    "finds the control character in %j",
    (text) => {
      expect(hasControlCharacter(text)).toBe(true);
    },
  );

  it.each(["", "plain", " ", "\u0020", "\u00a0", "\u00a9", "~", "zähler", "🙂"])("finds none in %j", (text) => {
    expect(hasControlCharacter(text)).toBe(false);
  });
});
