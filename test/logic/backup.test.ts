import { describe, expect, it } from "vitest";
import { blobNameFor, FILES_PER_BATCH, splitIntoBatches, sum } from "../../src/logic/backup.js";

describe("splitIntoBatches", () => {
  it("splits into full batches and a shorter last batch, keeping the order", () => {
    expect(splitIntoBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("makes only full batches when the size divides the list", () => {
    expect(splitIntoBatches(["a", "b", "c", "d", "e", "f"], 3)).toEqual([
      ["a", "b", "c"],
      ["d", "e", "f"],
    ]);
  });

  it("puts everything in one batch when the size is at least the length", () => {
    expect(splitIntoBatches([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
    expect(splitIntoBatches([1, 2, 3], 10)).toEqual([[1, 2, 3]]);
  });

  it("makes one batch per item with size 1", () => {
    expect(splitIntoBatches([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
  });

  it("returns no batches for an empty list", () => {
    expect(splitIntoBatches([], 5)).toEqual([]);
  });

  it(`splits ${2 * FILES_PER_BATCH + 1} files into batches of ${FILES_PER_BATCH}`, () => {
    expect(FILES_PER_BATCH).toBe(200);
    const files = Array.from({ length: 401 }, (_, index) => `f${index}`);
    const batches = splitIntoBatches(files, FILES_PER_BATCH);
    expect(batches.map((batch) => batch.length)).toEqual([200, 200, 1]);
    expect(batches.flat()).toEqual(files);
  });

  it("leaves the input list alone", () => {
    const items = [1, 2, 3];
    splitIntoBatches(items, 2);
    expect(items).toEqual([1, 2, 3]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses the batch size %s with a RangeError", (size) => {
    expect(() => splitIntoBatches([1, 2], size)).toThrow(RangeError);
    expect(() => splitIntoBatches([1, 2], size)).toThrow(`Batch size must be a positive integer, got ${size}.`);
  });

  it("refuses a bad size even for an empty list", () => {
    expect(() => splitIntoBatches([], 0)).toThrow(RangeError);
  });
});

describe("blobNameFor", () => {
  it.each([
    ["site", "css/a.css", "site/css/a.css"],
    ["site", "index.html", "site/index.html"],
    ["site", "css\\a.css", "site/css/a.css"],
    ["site", "css\\sub/a.css", "site/css/sub/a.css"],
    ["site", "./css/a.css", "site/css/a.css"],
    ["site", "css/./a.css", "site/css/a.css"],
    ["site", ".\\css\\a.css", "site/css/a.css"],
    ["site", "/css//a.css", "site/css/a.css"],
    ["site", "css/", "site/css"],
    ["site", "..hidden/a..b", "site/..hidden/a..b"],
    ["site", ".htaccess", "site/.htaccess"],
    ["", "a.txt", "root/a.txt"],
  ])("(%j, %j) → %j", (root, relative, blobName) => {
    expect(blobNameFor(root, relative)).toBe(blobName);
  });

  it.each(["../secret.txt", "css/../../x", "a/..", "..\\x", "a\\..\\b"])("refuses %j, which leaves the directory", (relative) => {
    expect(() => blobNameFor("site", relative)).toThrow(RangeError);
    expect(() => blobNameFor("site", relative)).toThrow(`'${relative}' leaves the backed-up directory.`);
  });
});

describe("sum", () => {
  it("adds the values", () => {
    expect(sum([1, 2, 3])).toBe(6);
    expect(sum([10, -4])).toBe(6);
    expect(sum([42])).toBe(42);
  });

  it("is 0 for an empty list", () => {
    expect(sum([])).toBe(0);
  });
});
