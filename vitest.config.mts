import { defineConfig } from "vitest/config";

/** Reliability cases that take more than about a minute each; `npm run test:reliability` runs them. */
export const LONG_RELIABILITY_TESTS = "test/reliability/long/**/*.test.ts";
/** Tests of the real-extension host, which need a .NET SDK; `npm run test:realhost` runs them. */
export const REALHOST_TESTS = "test/realhost/**/*.test.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", LONG_RELIABILITY_TESTS, REALHOST_TESTS],
    setupFiles: ["test/support/setupFunctionsCore.ts"],
    globalSetup: ["test/support/azuriteGlobalSetup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
