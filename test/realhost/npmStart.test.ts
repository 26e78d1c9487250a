import { describe, expect, it } from "vitest";
import { expectAppAnswers, skipIfAzuriteIsRunning, startUseAndInterrupt, useProjectCopy } from "../scripts/support/npmStart.js";

/**
 * `npm start -- --realhost`: Azurite, the real-extension host and its Node.js worker; the app
 * answers; a terminal's Ctrl-C leaves no process and no port behind.
 */

const copy = useProjectCopy();

describe("npm start on the real-extension host", () => {
  it("runs the app on the real Durable extension beside Azurite, and Ctrl-C stops the host, its worker and Azurite", async (context) => {
    await skipIfAzuriteIsRunning(context);
    const output = await startUseAndInterrupt(copy(), "--realhost", async (app) => {
      expect(app.output()).toContain("running the real-extension host (realhost/)");
      expect(app.output()).toMatch(/\(real extension: Durable extension 3\.19\.0/);
      await expectAppAnswers(app);
    });
    expect(output).toMatch(/The real-extension host has stopped\.|Unfinished work resumes at the next start\./);
  }, 90_000);
});
