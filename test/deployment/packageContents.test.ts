import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coreToolsFilter, filesBelow, gitignoreFilter, globMatcher, type PackageFilter } from "./deploymentPackage.js";

/**
 * What a deployment uploads: the project tree after a build, filtered by .funcignore as each of
 * its two readers reads it. The build goes to a fresh folder standing in for dist/, so that stale
 * files in the working dist/ (or a concurrent `npm start`) cannot change the answer.
 */

const root = path.resolve(import.meta.dirname, "../..");
const funcignore = readFileSync(path.join(root, ".funcignore"), "utf8");
const filters: PackageFilter[] = [gitignoreFilter(funcignore), coreToolsFilter(funcignore)];

interface PackageJson {
  main: string;
}

let buildDir: string;
let projectFiles: string[];

beforeAll(() => {
  buildDir = mkdtempSync(path.join(tmpdir(), "df-package-"));
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--outDir", buildDir], {
      cwd: root,
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    throw new Error(`The build failed, so there is no package to check:\n${stdout ?? String(error)}`, { cause: error });
  }
  projectFiles = [
    ...filesBelow(root, ["node_modules", ".git", "dist"]),
    ...filesBelow(buildDir).map((file) => `dist/${file}`),
  ].sort();
}, 120_000);

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
});

function included(filter: PackageFilter): string[] {
  return projectFiles.filter((file) => filter.includes(file));
}

describe.each(filters)(".funcignore read by $name", (filter) => {
  it("includes every module package.json \"main\" loads: dist/index.js and one per src/functions module", () => {
    const { main } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as PackageJson;
    const loaded = projectFiles.filter(globMatcher(main));
    const functionModules = readdirSync(path.join(root, "src/functions"))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => `dist/functions/${file.replace(/\.ts$/, ".js")}`);
    expect(functionModules.length).toBeGreaterThan(0);
    expect(loaded.sort()).toEqual(["dist/index.js", ...functionModules].sort());
    expect(loaded.filter((file) => !filter.includes(file))).toEqual([]);
  });

  it("includes host.json, package.json and every compiled module", () => {
    const compiled = projectFiles.filter((file) => file.startsWith("dist/") && file.endsWith(".js"));
    expect(compiled.length).toBeGreaterThan(10);
    expect(["host.json", "package.json", ...compiled].filter((file) => !filter.includes(file))).toEqual([]);
  });

  it("includes nothing else from the project tree (sources, tests, tooling, maps, docs, settings)", () => {
    const allowed = (file: string): boolean =>
      ["host.json", "package.json", "package-lock.json"].includes(file) || /^dist\/.+\.js$/.test(file);
    expect(included(filter).filter((file) => !allowed(file))).toEqual([]);
  });

  it.each([
    "src/index.ts",
    "src/functions/counter.ts",
    "test/registration.test.ts",
    "test/tsconfig.json",
    "test.http",
    "infra/main.bicep",
    "infra/main.parameters.json",
    ".vscode/settings.json",
    ".vscode/launch.json",
    "scripts/start.mjs",
    ".ci/run",
    ".azurite/__azurite_db_blob__.json",
    ".azurite/debug.log",
    "__azurite_db_table__.json",
    "__blobstorage__/a/b",
    "__queuestorage__/a",
    "coverage/index.html",
    "local.settings.json",
    "local.settings.json.example",
    ".env",
    ".env.production",
    "npm-debug.log",
    "dist/index.js.map",
    "dist/functions/counter.js.map",
    "dist/logic/deep/x.js.map",
    "README.md",
    "CHANGELOG.md",
    "tsconfig.json",
    "eslint.config.mjs",
    "vitest.config.mts",
    ".funcignore",
    ".gitignore",
    ".git/HEAD",
    ".github/workflows/ci.yml",
    "node_modules/azure-functions-core-tools/bin/func",
    "node_modules/.bin/func",
  ])("leaves out %s", (file) => {
    expect(filter.includes(file)).toBe(false);
  });

  it.each([
    "node_modules/",
    "node_modules/durable-functions/package.json",
    // Folders named like the project's own left-out ones, inside dependencies: only an anchored
    // pattern keeps them (applicationinsights' main is out/src/index.js).
    "node_modules/applicationinsights/out/src/index.js",
    "node_modules/some-package/test/index.js",
    "node_modules/some-package/scripts/install.js",
    "node_modules/some-package/lib/index.js.map",
  ])("keeps %s", (file) => {
    expect(filter.includes(file)).toBe(true);
  });
});

interface LockPackage {
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
}

describe("production dependencies in the package", () => {
  it("keep every file they can load at run time (.js, .cjs, .mjs, .json, .node, .wasm)", () => {
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockPackage> };
    const production = Object.entries(lock.packages)
      .filter(([location, entry]) => location !== "" && entry.dev !== true && entry.devOptional !== true && entry.optional !== true)
      .map(([location]) => location)
      .filter((location) => existsSync(path.join(root, location)));
    expect(production).toContain("node_modules/durable-functions");
    expect(production).toContain("node_modules/@azure/identity");
    const runtimeFiles = production.flatMap((location) =>
      // A package's own node_modules holds other lockfile entries, checked on their own.
      filesBelow(path.join(root, location), ["node_modules"])
        .filter((file) => /\.(c|m)?js$|\.json$|\.node$|\.wasm$/.test(file))
        .map((file) => `${location}/${file}`),
    );
    expect(runtimeFiles.length).toBeGreaterThan(1000);
    for (const filter of filters) {
      expect(runtimeFiles.filter((file) => !filter.includes(file)), filter.name).toEqual([]);
    }
  });
});
