import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { AppHooks } from "./AppHooks.js";
import { createCoreApi } from "./createCoreApi.js";
import { createInvocationContext } from "./createInvocationContext.js";
import { describeFailure } from "./describeFailure.js";
import { FunctionRegistry } from "./FunctionRegistry.js";
import type { AzureFunctionsModule, InvokeOptions, RegisteredFunction } from "./functionTypes.js";
import type { HostLogger } from "./HostLogger.js";
import { installFunctionsCoreSubstitute } from "./installFunctionsCoreSubstitute.js";
import { invocationLogHandler } from "./invocationLogHandler.js";
import { loadEntryPoints } from "./loadEntryPoints.js";
import { readOnlyProperties } from "./readOnlyProperties.js";
import { runInvocation } from "./runInvocation.js";
import { traceContextFor } from "./traceContextFor.js";
import { withTimeout } from "./withTimeout.js";

/** The reason Core Tools prints for triggers that give none, such as the durable ones. */
const NO_REASON = "(null)";

let loaded = false;

/**
 * The app as the Node worker runs it: loaded from package.json `main` with the worker's
 * `@azure/functions-core` in place, its functions invoked with the worker's InvocationContext,
 * hooks and log lines.
 */
export class FunctionApp {
  readonly #registry: FunctionRegistry;
  readonly #hooks: AppHooks;
  readonly #logger: HostLogger;
  readonly #appRoot: string;
  /** The @azure/functions the app itself loads, for building its HttpRequest and HttpResponse objects. */
  readonly library: AzureFunctionsModule;

  readonly #functionTimeoutMs: number | undefined;

  private constructor(
    appRoot: string,
    registry: FunctionRegistry,
    hooks: AppHooks,
    logger: HostLogger,
    library: AzureFunctionsModule,
    functionTimeoutMs: number | undefined,
  ) {
    this.#functionTimeoutMs = functionTimeoutMs;
    this.#appRoot = appRoot;
    this.#registry = registry;
    this.#hooks = hooks;
    this.#logger = logger;
    this.library = library;
  }

  /**
   * Once per process: `@azure/functions-core` and the app's modules are process-wide.
   * `functionTimeoutMs` is host.json's functionTimeout: an invocation still running then fails.
   */
  static async load(appRoot: string, logger: HostLogger, functionTimeoutMs?: number): Promise<FunctionApp> {
    if (loaded) throw new Error("An app is already loaded in this process; the Functions worker loads one app per process.");
    loaded = true;
    const root = path.resolve(appRoot);
    const registry = new FunctionRegistry(logger);
    const hooks = new AppHooks(logger);
    installFunctionsCoreSubstitute(createCoreApi(registry, hooks, logger));
    await loadEntryPoints(root, logger);
    return new FunctionApp(root, registry, hooks, logger, loadLibrary(root), functionTimeoutMs);
  }

  list(): RegisteredFunction[] {
    return this.#registry.list();
  }

  get(name: string): RegisteredFunction | undefined {
    return this.#registry.get(name);
  }

  /**
   * Runs the function with the app's pre/post invocation hooks, logging Executing/Executed lines
   * (unless `logExecution` is false) and a failure's description; returns or throws what the handler does.
   */
  async invoke(name: string, triggerInput: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const fn = this.get(name);
    if (fn === undefined) throw new Error(`Function code for '${name}' is not loaded and cannot be invoked.`);
    const invocationId = randomUUID();
    const started = performance.now();
    const finished = { value: false };
    const hookData: Record<string, unknown> = {};
    const context = createInvocationContext(this.library, fn, {
      invocationId,
      traceContext: traceContextFor(options.traceParent, options.traceState),
      triggerMetadata: options.triggerMetadata,
      extraInputs: options.extraInputs,
      log: invocationLogHandler({ functionName: fn.name, invocationId, finished, hooks: this.#hooks, hookData, logger: this.#logger, context: () => context }),
    });
    const logExecution = options.logExecution ?? true;
    if (logExecution) this.#logger.log("information", `Executing 'Functions.${fn.name}' (Reason='${options.reason ?? NO_REASON}', Id=${invocationId})`);
    const duration = (): number => Math.round(performance.now() - started);
    try {
      const result = await withTimeout(
        runInvocation({ context, handler: fn.handler, inputs: [triggerInput], hooks: this.#hooks, hookData, finished }),
        this.#functionTimeoutMs,
        fn.name,
      );
      const converted = options.convertResult === undefined ? result : await options.convertResult(result);
      if (logExecution) this.#logger.log("information", `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${duration()}ms)`);
      return converted;
    } catch (error) {
      if (logExecution) this.#logger.log("error", `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${duration()}ms)`);
      this.#logger.log("error", describeFailure(fn.name, error));
      throw error;
    }
  }

  /** The worker runs these right after loading; registering functions is closed afterwards. */
  async runAppStartHooks(): Promise<void> {
    const context = readOnlyProperties({ functionAppDirectory: this.#appRoot }, this.#appScope());
    try {
      await this.#hooks.run("appStart", context);
    } finally {
      this.#registry.lock();
    }
  }

  /** The worker runs these when the host stops it, before it exits. */
  async runAppTerminateHooks(): Promise<void> {
    await this.#hooks.run("appTerminate", readOnlyProperties({}, this.#appScope()));
  }

  #appScope() {
    return { hookData: () => this.#hooks.appLevelOnlyHookData, appHookData: () => this.#hooks.appHookData };
  }
}

function loadLibrary(appRoot: string): AzureFunctionsModule {
  try {
    return createRequire(path.join(appRoot, "package.json"))("@azure/functions") as AzureFunctionsModule;
  } catch (error) {
    throw new Error(`The app at ${appRoot} does not resolve @azure/functions (v4), which the host needs to build its requests and contexts.`, {
      cause: error,
    });
  }
}
