import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandMainGlob } from "../../../devhost/app/expandMainGlob.js";

/** package.json `main` patterns, expanded as the worker's globby call expands them. */

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "devhost-glob-"));
  const files = [
    "index.js",
    "dist/index.js",
    "dist/index.js.map",
    "dist/functions/b.js",
    "dist/functions/a.js",
    "dist/functions/a.test.js",
    "dist/functions/.hidden.js",
    "dist/functions/nested/deep.js",
    "dist/functions/nested/deeper/deepest.js",
    "dist/.cache/skipped.js",
    "src/main.mjs",
    "src/{literal}.js",
  ];
  for (const file of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), "");
  }
  await mkdir(path.join(root, "dist", "dir.js"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("expandMainGlob", () => {
  it.each([
    ["index.js", ["index.js"]],
    ["./index.js", ["index.js"]],
    ["missing.js", []],
    ["dist/{index.js,functions/*.js}", ["dist/index.js", "dist/functions/a.js", "dist/functions/a.test.js", "dist/functions/b.js"]],
    ["dist/functions/*.js", ["dist/functions/a.js", "dist/functions/a.test.js", "dist/functions/b.js"]],
    ["dist/functions/?.js", ["dist/functions/a.js", "dist/functions/b.js"]],
    ["dist/functions/[b-z].js", ["dist/functions/b.js"]],
    ["dist/functions/.*.js", ["dist/functions/.hidden.js"]],
    ["dist/*.js", ["dist/index.js"]],
    [
      "dist/**/*.js",
      // one alternative's matches are sorted; dot directories and directories named like files are left out
      ["dist/functions/a.js", "dist/functions/a.test.js", "dist/functions/b.js", "dist/functions/nested/deep.js", "dist/functions/nested/deeper/deepest.js", "dist/index.js"],
    ],
    ["dist/functions/{nested/{deep,deeper/deepest},b}.js", ["dist/functions/nested/deep.js", "dist/functions/nested/deeper/deepest.js", "dist/functions/b.js"]],
    ["{dist/index.js,dist/index.js,index.js}", ["dist/index.js", "index.js"]],
    ["src/{literal}.js", ["src/{literal}.js"]],
    ["src/*.mjs", ["src/main.mjs"]],
  ])("%s", async (pattern, expected) => {
    expect(await expandMainGlob(root, pattern)).toEqual(expected);
  });
});
