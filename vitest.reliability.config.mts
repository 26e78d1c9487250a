import { defineConfig, mergeConfig } from "vitest/config";
import base, { LONG_RELIABILITY_TESTS } from "./vitest.config.mjs";

/** The long reliability cases (crashes with Azurite restarts, big bursts): `npm run test:reliability`. */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: [LONG_RELIABILITY_TESTS],
      exclude: ["**/node_modules/**"],
      testTimeout: 300_000,
      hookTimeout: 120_000,
      // One file at a time: each starts hosts (and sometimes its own Azurite) on a 2-core machine.
      fileParallelism: false,
    },
  }),
  false,
);
