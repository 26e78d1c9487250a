// Each benchmark family runs in a child process of its own (bench/run.mjs spawns it): peak memory
// then belongs to one family, FunctionApp's one-app-per-process rule holds, and a crash in one
// family is reported as that family's failure. The child prints its result as the last stdout line.
import { pathToFileURL } from "node:url";

export const RESULT_PREFIX = "BENCH_RESULT ";

/** Runs `measure` when the module is the process's entry point, printing its result for the runner. */
export function runAsFamily(moduleUrl, measure) {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? "").href) return;
  const quick = process.argv.includes("--quick");
  // Through process.exit, so that the "exit" handlers that kill Azurite and the local host run.
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(1));
  measure({ quick }).then(
    (result) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
      // Azure SDK agents and app timers may keep the loop alive; the result is out, so leave.
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** Fails the family (and so the run) when a benchmark produced a wrong result, not a slow one. */
export function check(condition, message) {
  if (!condition) throw new Error(`Wrong result: ${message}`);
}
