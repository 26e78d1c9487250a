// The eternal counter written the naive way: one execution that loops forever, never continuing as
// new. Every operation adds to the one history, so every replay re-reads all operations so far. It
// exists only to show what E3_Counter's ContinueAsNew saves; it is registered in the benchmark's
// process only, never in the app.
import { createRequire } from "node:module";
import path from "node:path";
import { REPO_ROOT } from "./lib/appHarness.mjs";

export const WHILE_LOOP_COUNTER = "Bench_WhileLoopCounter";

/** Registers the orchestrator with the same durable-functions instance the app uses. */
export function registerWhileLoopCounter() {
  const df = createRequire(path.join(REPO_ROOT, "package.json"))("durable-functions");
  df.app.orchestration(WHILE_LOOP_COUNTER, function* (context) {
    let value = context.df.getInput() ?? 0;
    for (;;) {
      const operation = yield context.df.waitForExternalEvent("operation");
      if (operation === "incr") value += 1;
      else if (operation === "decr") value -= 1;
      else if (operation === "end") return value;
      context.df.setCustomStatus({ value });
    }
  });
}
