import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { useE2eTarget } from "../../e2e/support/e2eTarget.js";
import { startAzurite, type RunningAzurite } from "../../../scripts/azurite.mjs";
import { recordFigures } from "../support/figures.js";
import { startWorkload, verifyWorkload } from "../support/crashWorkload.js";

/**
 * The host killed (SIGKILL) and its storage stopped too: an Azurite of this file's own, keeping
 * its data in a folder, is stopped and started again on the same folder and ports, then the host
 * is started again. Everything the host committed is in that folder, so the work carries on.
 */

let azurite: RunningAzurite | undefined;
let location = "";

function runningAzurite(): RunningAzurite {
  if (azurite === undefined) throw new Error("This file's Azurite is not running.");
  return azurite;
}

// Registered before useE2eTarget: the host's settings name this Azurite, and it stops after the host.
beforeAll(async () => {
  location = await mkdtemp(path.join(tmpdir(), "reliability-azurite-"));
  azurite = await startAzurite({ location });
});
afterAll(async () => {
  await azurite?.stop();
  if (location !== "") await rm(location, { recursive: true, force: true });
});

const target = useE2eTarget({
  name: "storagecrash",
  clock: "real",
  leaseSeconds: 5,
  env: () => ({ AzureWebJobsStorage: runningAzurite().connectionString }),
});

describe("a host crash with a storage restart", () => {
  it("4.2 loses nothing and applies nothing twice when the host is killed, Azurite restarted on its data, and the host started again", async () => {
    const { connectionString, ports } = runningAzurite();
    const workload = await startWorkload(target, connectionString);

    await target.host.kill();
    await runningAzurite().stop();
    azurite = undefined;
    azurite = await startAzurite({ location, ports });
    await target.host.restart();

    const figures = await verifyWorkload(target, connectionString, workload);
    recordFigures({
      id: "4.2",
      title: "kill -9 of the host and a stop of Azurite mid-work; Azurite restarted on its data folder and ports, then the host",
      figures,
    });
  });
});
