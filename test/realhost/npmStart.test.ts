import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_PORTS, expectAppAnswers, makeProjectCopy, portAnswers, removeProjectCopy, startUseAndInterrupt } from "../scripts/support/npmStart.js";

/**
 * `npm start -- --realhost`: Azurite, the real-extension host and its Node.js worker; the app
 * answers; a terminal's Ctrl-C leaves no process and no port behind.
 */

let copy: string;
beforeAll(async () => {
  copy = await makeProjectCopy();
});

afterAll(async () => {
  await removeProjectCopy(copy);
});

describe("npm start on the real-extension host", () => {
  it("runs the app on the real Durable extension beside Azurite, and Ctrl-C stops the host, its worker and Azurite", async (context) => {
    const busy = await Promise.all(AZURITE_PORTS.map(portAnswers));
    if (busy.some(Boolean)) context.skip("Azurite's default ports (10000-10002) are in use: another Azurite is running");

    const output = await startUseAndInterrupt(copy, "--realhost", async (app) => {
      expect(app.output()).toContain("running the real-extension host (realhost/)");
      expect(app.output()).toMatch(/\(real extension: Durable extension 3\.19\.0/);
      await expectAppAnswers(app);
    });
    expect(output).toMatch(/The real-extension host has stopped\.|Unfinished work resumes at the next start\./);
  }, 90_000);
});
