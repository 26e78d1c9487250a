// A bench-only fan-out/fan-in: N activities at once, then their sum. Registered in the benchmark's
// process only, never in the app. The activity is trivial on purpose: what is measured is the
// host's and the SDK's cost per task, not the work.
import { createRequire } from "node:module";
import path from "node:path";
import { REPO_ROOT } from "./lib/appHarness.mjs";

export const FAN_OUT = "Bench_FanOut";
export const SQUARE = "Bench_Square";

export function registerFanOut() {
  const df = createRequire(path.join(REPO_ROOT, "package.json"))("durable-functions");
  df.app.activity(SQUARE, { handler: (value) => value * value });
  df.app.orchestration(FAN_OUT, function* (context) {
    const count = context.df.getInput();
    const tasks = Array.from({ length: count }, (_, index) => context.df.callActivity(SQUARE, index));
    const squares = yield context.df.Task.all(tasks);
    return squares.reduce((sum, square) => sum + square, 0);
  });
}

/** What Bench_FanOut must answer for `count` activities: 0² + 1² + … + (count−1)². */
export const expectedSum = (count) => ((count - 1) * count * (2 * count - 1)) / 6;
