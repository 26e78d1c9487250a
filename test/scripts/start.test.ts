import { describe, expect, it } from "vitest";
import { expectAppAnswers, skipIfAzuriteIsRunning, startUseAndInterrupt, useProjectCopy } from "./support/npmStart.js";

/**
 * `npm start -- --devhost`: scripts/start.mjs starts Azurite and the local durable host, the app
 * answers, and a terminal's Ctrl-C stops everything. (The real-extension host's run is in
 * test/realhost/, which needs a .NET SDK.)
 */

const copy = useProjectCopy();

describe("npm start on the local durable host", () => {
  it("runs the app on the local durable host beside Azurite, and Ctrl-C stops both", async (context) => {
    await skipIfAzuriteIsRunning(context);
    const output = await startUseAndInterrupt(copy(), "--devhost", async (app) => {
      expect(app.output()).toContain("running the local durable host (devhost/)");
      await expectAppAnswers(app);
    });
    // The group's SIGINT reached Azurite too, so the host may have had to give up on storage calls.
    expect(output).toMatch(/The local durable host has stopped\.|Unfinished work resumes at the next start\./);
  }, 60_000);
});
