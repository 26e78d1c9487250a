import { describe, expect, it } from "vitest";
import { hasControlCharacter, MAX_ID_LENGTH, validateResourceId } from "../../src/logic/resourceIds.js";
import { ValidationError } from "../../src/logic/ValidationError.js";
import { validationErrorOf } from "../support/thrownErrors.js";

describe("validateResourceId", () => {
  it.each([
    "counter",
    "a",
    "order-42_v1.2",
    "with inner spaces",
    "zähler",
    "カウンター",
    "🙂-emoji",
    "a:b;c@d=e&f+g",
  ])("accepts %j unchanged", (id) => {
    expect(validateResourceId(id, "instance id")).toBe(id);
  });

  it(`accepts exactly ${MAX_ID_LENGTH} characters and refuses ${MAX_ID_LENGTH + 1}`, () => {
    expect(MAX_ID_LENGTH).toBe(100);
    const hundred = "x".repeat(100);
    expect(validateResourceId(hundred, "instance id")).toBe(hundred);

    const error = validationErrorOf(() => validateResourceId("x".repeat(101), "instance id"));
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe("The instance id is longer than 100 characters.");
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

  it.each([" leading", "trailing ", " both ", "\ttab", "nbsp\u00a0", " "])(
    "refuses %j with leading or trailing white space",
    (raw) => {
      const error = validationErrorOf(() => validateResourceId(raw, "instance id"));
      expect(error.code).toBe("invalid_id");
      expect(error.message).toBe("The instance id must not start or end with white space.");
    },
  );

  it.each(["a/b", "a\\b", "a#b", "a?b", "a%b", "%41", "/", "?"])("refuses the forbidden character in %j", (raw) => {
    const error = validationErrorOf(() => validateResourceId(raw, "instance id"));
    expect(error.code).toBe("invalid_id");
    expect(error.message).toBe("The instance id must not contain / \\ # ? % or control characters.");
  });

  it.each(["a\u0000b", "a\u001fb", "a\u007fb", "a\u0085b", "a\u009fb", "a\nb", "a\rb"])(
    "refuses the control character in %j",
    (raw) => {
      const error = validationErrorOf(() => validateResourceId(raw, "instance id"));
      expect(error.code).toBe("invalid_id");
      expect(error.message).toContain("control characters");
    },
  );

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
