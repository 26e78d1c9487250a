import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * On a machine without a .NET SDK: `npm start -- --realhost` refuses with a clear message, and
 * `npm run test:realhost` skips, saying so, unless --require makes it fail (as CI does). The
 * scripts find the SDK through PATH, so an empty PATH stands for such a machine; node itself is
 * started by its absolute path.
 */

const root = path.resolve(import.meta.dirname, "../..");
let emptyPath: string;

beforeAll(async () => {
  emptyPath = await mkdtemp(path.join(os.tmpdir(), "no-dotnet-"));
});

afterAll(async () => {
  await rm(emptyPath, { recursive: true, force: true });
});

function runScript(script: string, args: string[]) {
  return spawnSync(process.execPath, [path.join(root, "scripts", script), ...args], {
    cwd: root,
    env: { ...process.env, PATH: emptyPath },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("without a .NET SDK", () => {
  it("npm start -- --realhost exits 1 and says what is missing, before it starts anything", () => {
    const run = runScript("start.mjs", ["--realhost"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--realhost given, but no .NET SDK was found");
    expect(run.stdout).not.toContain("Azurite is starting");
  });

  it("npm run test:realhost skips, saying why, and fails with --require", () => {
    const skipped = runScript("test-realhost.mjs", []);
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toContain("No .NET SDK found");
    expect(skipped.stdout).toContain("are skipped");
    const required = runScript("test-realhost.mjs", ["--require"]);
    expect(required.status).toBe(1);
    expect(required.stdout).toContain("cannot run");
  });
});
