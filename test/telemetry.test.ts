import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { startTelemetry } from "../src/telemetry.js";

const require = createRequire(import.meta.url);

describe("telemetry", () => {
  it("does not load applicationinsights when no connection string is set", async () => {
    delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    expect(await startTelemetry()).toBe(false);
    const loaded = Object.keys(require.cache).filter((file) => file.includes("node_modules/applicationinsights/"));
    expect(loaded).toEqual([]);
  });

  it("treats a blank connection string as not set", async () => {
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = "   ";
    try {
      expect(await startTelemetry()).toBe(false);
    } finally {
      delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    }
  });
});
