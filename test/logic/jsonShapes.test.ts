import { describe, expect, it } from "vitest";
import { describeJsonType, requireObject } from "../../src/logic/jsonShapes.js";
import { ValidationError } from "../../src/logic/ValidationError.js";
import { validationErrorOf } from "../support/thrownErrors.js";

describe("describeJsonType", () => {
  it.each([
    [null, "null"],
    [[], "an array"],
    [[1, 2], "an array"],
    ["text", "a string"],
    [5, "a number"],
    [true, "a boolean"],
  ])("describes %j as %j", (value, description) => {
    expect(describeJsonType(value)).toBe(description);
  });
});

describe("requireObject", () => {
  it("returns the same object", () => {
    const input = { a: 1 };
    expect(requireObject(input, "The body")).toBe(input);
    expect(requireObject({}, "The body")).toEqual({});
  });

  it.each([
    [null, "null"],
    [[], "an array"],
    ["{}", "a string"],
    [1, "a number"],
    [false, "a boolean"],
  ])("refuses %j with invalid_body", (input, type) => {
    const error = validationErrorOf(() => requireObject(input, "The body"));
    expect(error.code).toBe("invalid_body");
    expect(error.message).toBe(`The body must be a JSON object, not ${type}.`);
  });

  it("refuses undefined", () => {
    expect(() => requireObject(undefined, "The body")).toThrow(ValidationError);
  });
});
