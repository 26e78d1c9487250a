import { describe, expect, it } from "vitest";
import { tryJsonParse } from "../../../devhost/worker/tryJsonParse.js";

/** How a trigger value the host sends as text reaches the function, as @azure/functions parses it. */

describe("tryJsonParse", () => {
  it.each([
    ["123", 123],
    ["2.5", 2.5],
    ['"abc"', "abc"],
    ["true", true],
    ["null", null],
    ['{"a":[1,2]}', { a: [1, 2] }],
  ])("parses the JSON text %s", (text, value) => {
    expect(tryJsonParse(text)).toEqual(value);
  });

  it.each(["True", "abc", "", "{not json", "12abc"])("keeps %j, which is not JSON, as the string", (text) => {
    expect(tryJsonParse(text)).toBe(text);
  });
});
