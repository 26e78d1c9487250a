import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expandMainGlob } from "./expandMainGlob.js";
import type { HostLogger } from "./HostLogger.js";

interface PackageJson {
  main?: string;
  type?: string;
}

/**
 * Loads the app as the Node worker does: every file package.json `main` matches, in order, with
 * require (or import() for ES modules). A file that fails stops the load with an error naming it,
 * as the worker does from Node 20 on.
 */
export async function loadEntryPoints(appRoot: string, logger: HostLogger): Promise<void> {
  const packageJson = await readPackageJson(appRoot, logger);
  const pattern = packageJson.main;
  if (pattern === undefined) return;
  const files = await expandMainGlob(appRoot, pattern);
  if (files.length === 0) {
    const reason = /[*?[{]/.test(pattern) ? "Found zero files matching the supplied pattern" : "File does not exist";
    throw new Error(`Worker was unable to load entry point "${pattern}": ${reason}`);
  }
  const requireFromApp = createRequire(path.join(appRoot, "package.json"));
  for (const file of files) {
    logger.log("debug", `Loading entry point file "${file}"`);
    const filePath = path.join(appRoot, file);
    try {
      if (isEsModule(filePath, packageJson)) await import(pathToFileURL(filePath).href);
      else requireFromApp(filePath);
    } catch (error) {
      throw new Error(`Worker was unable to load entry point "${file}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    logger.log("debug", `Loaded entry point file "${file}"`);
  }
}

/** A missing or unreadable package.json is a warning to the worker, which then loads nothing. */
async function readPackageJson(appRoot: string, logger: HostLogger): Promise<PackageJson> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path.join(appRoot, "package.json"), "utf8"));
  } catch (error) {
    logger.log("warning", `Worker failed to load package.json: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    logger.log("warning", "Worker failed to load package.json: file content is not an object");
    return {};
  }
  const { main, type } = data as Record<string, unknown>;
  // The worker ignores fields of an unexpected type.
  return { ...(typeof main === "string" ? { main } : {}), ...(typeof type === "string" ? { type } : {}) };
}

function isEsModule(filePath: string, packageJson: PackageJson): boolean {
  if (filePath.endsWith(".mjs")) return true;
  if (filePath.endsWith(".cjs")) return false;
  return packageJson.type === "module";
}
