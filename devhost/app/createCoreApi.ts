import type { AppHooks, HookCallback } from "./AppHooks.js";
import { Disposable } from "./Disposable.js";
import type { FunctionRegistry } from "./FunctionRegistry.js";
import type { HostLogger } from "./HostLogger.js";
import { toHostLogLevel } from "./toHostLogLevel.js";

/** What `@azure/functions-core` reports; the library reads neither, tools may. */
const WORKER_VERSION = "3.12.0";
const HOST_VERSION = "4.1037.0";

interface ProgrammingModel {
  name: string;
  version: string;
}

/**
 * The `@azure/functions-core` module the Node worker injects into the app: the whole API the
 * library calls (registerFunction, registerHook, the programming model, log), backed by this host.
 */
export function createCoreApi(registry: FunctionRegistry, hooks: AppHooks, logger: HostLogger) {
  let programmingModel: ProgrammingModel | undefined;
  return {
    version: WORKER_VERSION,
    hostVersion: HOST_VERSION,
    Disposable,
    registerFunction: (metadata: unknown, callback: unknown): Disposable => registry.register(metadata, callback),
    registerHook(name: string, callback: unknown): Disposable {
      if (typeof callback !== "function") throw new TypeError(`The "${name}" hook must be a function.`);
      return hooks.register(name, callback as HookCallback);
    },
    setProgrammingModel(model: ProgrammingModel): void {
      logger.log("debug", `Setting Node.js programming model to "${model.name}" version "${model.version}"`);
      programmingModel = model;
    },
    getProgrammingModel: (): ProgrammingModel | undefined => programmingModel,
    log(level: string, _category: string, message: string): void {
      const hostLevel = toHostLogLevel(level);
      if (hostLevel !== undefined) logger.log(hostLevel, message);
    },
  };
}
