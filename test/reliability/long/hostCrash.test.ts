import { describe, it } from "vitest";
import { useE2eTarget } from "../../e2e/support/e2eTarget.js";
import { recordFigures } from "../support/figures.js";
import { startWorkload, verifyWorkload } from "../support/crashWorkload.js";

/**
 * kill -9 of the host in the middle of everything (a fan-out, a waiting approval, E3 operations
 * in flight, queued entity signals), then a start on the same hub and Azurite: every instance
 * completes with the right result and nothing is lost or applied twice. Short leases let the new
 * host take over the killed one's messages within seconds.
 */

const target = useE2eTarget({ name: "hostcrash", clock: "real", leaseSeconds: 5 });

describe("a host crash (SIGKILL)", () => {
  it("4.1 loses nothing and applies nothing twice when the host is killed mid-work and started again", async () => {
    const connectionString = target.storageConnectionString;
    const workload = await startWorkload(target, connectionString);

    await target.host.kill();
    await target.host.restart();

    const figures = await verifyWorkload(target, connectionString, workload);
    recordFigures({ id: "4.1", title: "kill -9 of the host mid fan-out (200 files), mid approval, mid E3 burst; restarted", figures });
  });
});
