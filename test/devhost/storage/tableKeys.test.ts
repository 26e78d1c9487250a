import { describe, expect, it } from "vitest";
import { tableKeys } from "../../../devhost/storage/tableKeys.js";

/** Table keys for arbitrary ids: valid for Azure Tables, unique, and prefix-preserving. */

// What Azure Table keys may not hold, and what the escape avoids besides (its own marker, %, surrogates).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\#?%\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

const SAMPLES = [
  "",
  "plain-id_1.2",
  "a/b\\c#d?e%f",
  "~",
  "~2F",
  "~u002F",
  "~!",
  "/",
  "\u0000",
  "\u007f\u0085\u009f",
  "日本語",
  "😀",
  "\ud800",
  "\udc00\ud800",
  "\ufffe\uffff\ufffd",
  "x".repeat(512),
  "x".repeat(513),
  "/".repeat(200),
  `${"/".repeat(200)}a`,
  `${"/".repeat(200)}b`,
];

describe("tableKeys.key", () => {
  it("makes keys Azure Tables accept: no forbidden character, at most 512 code units", () => {
    for (const sample of SAMPLES) {
      const key = tableKeys.key(sample);
      expect(FORBIDDEN.test(key), JSON.stringify(sample)).toBe(false);
      expect(key.length).toBeLessThanOrEqual(512);
    }
  });

  it("gives distinct values distinct keys, long ones included", () => {
    const keys = SAMPLES.map((sample) => tableKeys.key(sample));
    expect(new Set(keys).size).toBe(SAMPLES.length);
  });

  it("leaves ordinary ids as they are and escapes per code unit", () => {
    expect(tableKeys.key("plain-id_1.2")).toBe("plain-id_1.2");
    expect(tableKeys.key("a/b")).toBe("a~2Fb");
    expect(tableKeys.key("~")).toBe("~7E");
    expect(tableKeys.key("😀")).toBe("~uD83D~uDE00");
    expect(tableKeys.key("日本")).toBe("日本");
  });

  it("keeps keys within a smaller limit for keys built of parts", () => {
    expect(tableKeys.key("/".repeat(100), 100)).toHaveLength(100);
    expect(() => tableKeys.key("/".repeat(100), 10)).toThrow(RangeError);
  });

  it("maps a prefix of an id to a prefix of its key while the key is not hashed", () => {
    for (const sample of SAMPLES) {
      const key = tableKeys.key(sample);
      if (key.includes("~!")) continue;
      for (let end = 1; end <= sample.length; end++) expect(key.startsWith(tableKeys.key(sample.slice(0, end)))).toBe(true);
    }
  });
});

describe("tableKeys.prefixRange", () => {
  const inRange = (key: string, range: { from: string; to: string }): boolean => key >= range.from && key < range.to;

  it("holds exactly the keys of the ids with the prefix", () => {
    const ids = ["pre", "pre/", "pre/a", "prf", "pr", "pre\u0000", "pre~", "prd\uffff", "日", "日本", "日\ufffd"];
    for (const prefix of ["pre", "pre/", "p", "日", "pre\u0000", "~"]) {
      const range = tableKeys.prefixRange(prefix);
      expect(range.exact).toBe(true);
      for (const id of ids) expect(inRange(tableKeys.key(id), range), `${JSON.stringify(prefix)} ${JSON.stringify(id)}`).toBe(id.startsWith(prefix));
    }
  });

  it("holds the hashed keys of long ids, and says when the stored id must be checked too", () => {
    const long = "/".repeat(200);
    const exact = tableKeys.prefixRange(long.slice(0, 100));
    expect(exact.exact).toBe(true);
    expect(inRange(tableKeys.key(`${long}a`), exact)).toBe(true);

    const inexact = tableKeys.prefixRange(`${long}a`);
    expect(inexact.exact).toBe(false);
    expect(inRange(tableKeys.key(`${long}a`), inexact)).toBe(true);
    expect(inRange(tableKeys.key(`${long}b`), inexact)).toBe(true);
  });

  it("refuses an empty prefix", () => {
    expect(() => tableKeys.prefixRange("")).toThrow(RangeError);
  });
});
