import { defineConfig } from "vitest/config";
import base, { REALHOST_TESTS } from "./vitest.config.mjs";

/**
 * `npm run test:realhost` (scripts/test-realhost.mjs, which sets E2E_HOST=realhost): the end-to-end
 * suite on the real-extension host, and the tests of that host itself, which need a .NET SDK and
 * so stay out of `npm test`.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ["test/e2e/**/*.e2e.test.ts", REALHOST_TESTS],
    exclude: ["**/node_modules/**"],
  },
});
