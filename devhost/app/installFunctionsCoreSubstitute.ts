import Module from "node:module";

const CORE_MODULE = "@azure/functions-core";

interface ModuleInternals {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  _cache: Record<string, { exports: object } | undefined>;
}

/**
 * Makes `require("@azure/functions-core")` return `api`, as the Node worker does: without it
 * @azure/functions runs in "test mode", warns, and registers nothing. Must run before the app's
 * first require of @azure/functions. The module is process-wide, so there is one app per process.
 */
export function installFunctionsCoreSubstitute(api: object): void {
  const internals = Module as unknown as ModuleInternals;
  const existing = internals._cache[CORE_MODULE];
  if (existing !== undefined) {
    // Another stand-in (a test harness's) is installed, and @azure/functions keeps the exports object
    // it got first: take that object over, so the library's calls reach this host.
    Object.assign(existing.exports, api);
    return;
  }
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === CORE_MODULE ? CORE_MODULE : resolve.call(this, request, ...rest);
  };
  const core = new Module(CORE_MODULE);
  core.exports = api;
  core.loaded = true;
  internals._cache[CORE_MODULE] = core;
}
