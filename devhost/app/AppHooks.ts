import { Disposable } from "./Disposable.js";
import type { HostLogger } from "./HostLogger.js";

export type HookName = "preInvocation" | "postInvocation" | "appStart" | "appTerminate" | "log";

/** What `@azure/functions` registers: it wraps the app's handler in one of its own context classes. */
export type HookCallback = (context: object) => unknown;

const HOOK_NAMES: readonly HookName[] = ["preInvocation", "postInvocation", "appStart", "appTerminate", "log"];

/**
 * The app's hooks by name, kept as the worker keeps them: run in registration order, each awaited
 * before the next, and a hook that throws stops the rest and fails what it was hooked to.
 */
export class AppHooks {
  /** Shared by every hook in every scope (the worker's `appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** Shared by the app-level hooks only: what appStart and appTerminate hooks see as `hookData` (the worker's name for it). */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  readonly #hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));

  constructor(private readonly logger: HostLogger) {}

  register(name: string, callback: HookCallback): Disposable {
    const hooks = this.#hooks.get(name as HookName);
    if (hooks === undefined) {
      // The worker's error type: @azure/functions recognises it (a RangeError marked as a system error).
      throw Object.assign(new RangeError(`Unrecognized hook "${name}"`), { isAzureFunctionsSystemError: true });
    }
    hooks.push(callback);
    return new Disposable(() => {
      const index = hooks.indexOf(callback);
      if (index >= 0) hooks.splice(index, 1);
    });
  }

  async run(name: HookName, context: object): Promise<void> {
    // A copy: a hook that disposes itself must not make the next one be skipped.
    const callbacks = [...this.#callbacks(name)];
    if (callbacks.length === 0) return;
    this.logger.log("debug", `Executing ${callbacks.length} "${name}" hooks`);
    for (const callback of callbacks) await callback(context);
    this.logger.log("debug", `Executed "${name}" hooks`);
  }

  /** Log hooks run synchronously, inside the log call, so they can change the line before it is written. */
  runSync(name: HookName, context: object): void {
    for (const callback of [...this.#callbacks(name)]) void callback(context);
  }

  #callbacks(name: HookName): HookCallback[] {
    return this.#hooks.get(name) ?? [];
  }
}
