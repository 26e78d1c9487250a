// The compiled app loaded the way the local host loads it (devhost's FunctionApp: package.json
// `main`, the worker's @azure/functions-core substitute), with a silent logger and an invoker that
// times every orchestrator invocation. Benchmarks that replay orchestrations go through this, so
// what they time is the SDK's own registered handler, not a copy of it.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { FunctionApp } from "../../devhost/dist/app/FunctionApp.js";
import { OrchestrationRunner } from "../../devhost/dist/orchestrations/OrchestrationRunner.js";

export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));

/** Host log lines would cost as much as the replay being measured; warnings and errors still show. */
const quietLogger = {
  log(level, message) {
    if (level === "warning" || level === "error" || level === "critical") process.stderr.write(`[host ${level}] ${message}\n`);
  },
};

/**
 * Loads the app (once per process, as FunctionApp insists), then runs `registerExtra` while
 * registration is still open: bench-only orchestrators join the same registry as the app's own.
 */
export async function loadApp(registerExtra = async () => {}) {
  const app = await FunctionApp.load(REPO_ROOT, quietLogger);
  await registerExtra();
  return app;
}

/**
 * A FunctionInvoker (what the runners need of the app) that adds the wall time of each invocation
 * of the functions `isTimed` picks (by default all) to `handlerMs`: an orchestrator's own replay
 * time, without the host's bookkeeping around it.
 */
export function timingInvoker(app, isTimed = () => true) {
  const invoker = {
    handlerMs: 0,
    invocations: 0,
    /** Invocations per function, timed or not. */
    calls: new Map(),
    get: (name) => app.get(name),
    async invoke(name, trigger, options) {
      invoker.calls.set(name, (invoker.calls.get(name) ?? 0) + 1);
      if (!isTimed(name)) return app.invoke(name, trigger, options);
      const started = performance.now();
      try {
        return await app.invoke(name, trigger, options);
      } finally {
        invoker.handlerMs += performance.now() - started;
        invoker.invocations += 1;
      }
    },
  };
  return invoker;
}

export function orchestrationRunner(invoker) {
  return new OrchestrationRunner(invoker, quietLogger);
}
