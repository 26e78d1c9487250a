import { defineConfig } from "vitest/config";
import base, { LONG_RELIABILITY_TESTS } from "./vitest.config.mjs";

/**
 * The long reliability cases (bursts that take a minute, crashes with Azurite restarts):
 * `npm run test:reliability`. Built from the base settings by hand: mergeConfig would append this
 * include to the base's and keep the base's exclusion of these very files.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [LONG_RELIABILITY_TESTS],
    exclude: ["**/node_modules/**"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // One file at a time: each starts hosts (and sometimes its own Azurite) on a 2-core machine.
    fileParallelism: false,
  },
});
