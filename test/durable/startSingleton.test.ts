import { beforeAll, describe, expect, it, inject } from "vitest";
import { readFile } from "node:fs/promises";
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { useFakeDurableExtension } from "../support/fakeDurableExtension.js";
import { STALE_CLAIM_MS, startSingleton } from "../../src/durable/startSingleton.js";
import { SingletonClaims, type SingletonClaim } from "../../src/storage/SingletonClaims.js";
import { storageTable } from "../../src/storage/storageClients.js";

/** startSingleton with the real claims table on Azurite and the real DurableClient on the fake extension. */

const fake = useFakeDurableExtension({ taskHub: "StartSingletonTest" });
let claims: SingletonClaims;

beforeAll(async () => {
  process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
  await loadApp();
  claims = await SingletonClaims.forTaskHub(fake.taskHub);
});

let uniqueIds = 0;
const newId = (prefix: string): string => `${prefix}-${Date.now()}-${++uniqueIds}`;

function clientAndContext(): { client: df.DurableClient; context: InvocationContext } {
  const context = invocationContext(registeredFunction("HttpStartSingle"), [], fake.clientData());
  return { client: df.getClient(context), context };
}

function run(instanceId: string, input: unknown, now?: () => Date, claimsToUse: SingletonClaims = claims) {
  const { client, context } = clientAndContext();
  return startSingleton(client, context, claimsToUse, "E3_Counter", instanceId, input, now);
}

async function claimStartingAt(instanceId: string, claimedAt: Date): Promise<SingletonClaim> {
  const claim = await claims.tryCreate(instanceId, "E3_Counter", claimedAt);
  if (claim === undefined) throw new Error("the claim already exists");
  return claim;
}

describe("the engine alone (the fake extension, non-atomic like the Azure Storage provider)", () => {
  it("lets two concurrent startNew calls of one id both succeed: the race startSingleton closes", async () => {
    const id = newId("engine-race");
    fake.startGapMs = 50;
    const { client } = clientAndContext();
    const results = await Promise.all([
      client.startNew("E3_Counter", { instanceId: id, input: 1 }),
      client.startNew("E3_Counter", { instanceId: id, input: 2 }),
    ]);
    expect(results).toEqual([id, id]);
    expect(fake.starts.map((start) => start.input)).toEqual([1, 2]);
  });

  it("refuses an instance id starting with '@' with 400, as the extension does", async () => {
    const { client } = clientAndContext();
    await expect(client.startNew("E3_Counter", { instanceId: "@counter@apples" })).rejects.toThrow(
      "The operation failed with an unexpected status code: 400.",
    );
    expect(fake.starts).toEqual([]);
  });
});

describe("startSingleton", () => {
  it("lets exactly one of 20 concurrent calls start a new id", async () => {
    const id = newId("crowd");
    fake.startGapMs = 50; // every start's duplicate check lands before any start's write
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => run(id, index)));
    expect(results.filter((result) => result === "started")).toHaveLength(1);
    expect(results.filter((result) => result === "exists")).toHaveLength(19);
    expect(fake.starts).toHaveLength(1);
  });

  it("starts a new id and marks its claim started", async () => {
    const id = newId("new");
    expect(await run(id, 4)).toBe("started");
    expect(fake.starts).toEqual([{ name: "E3_Counter", instanceId: id, input: 4 }]);
    expect(await claims.read(id)).toMatchObject({ orchestrator: "E3_Counter", state: "started" });
  });

  it("answers exists for a fresh 'starting' claim with no instance yet (a start in flight) and starts nothing", async () => {
    const id = newId("inflight");
    const claimedAt = new Date();
    const claim = await claimStartingAt(id, claimedAt);

    expect(await run(id, 0, () => new Date(claimedAt.getTime() + STALE_CLAIM_MS - 1))).toBe("exists");
    expect(fake.starts).toEqual([]);
    expect(await claims.read(id)).toEqual(claim);
  });

  it("decides a start in flight from the claim alone, without asking for the instance's status", async () => {
    const id = newId("inflight-quiet");
    await claimStartingAt(id, new Date());

    expect(await run(id, 0)).toBe("exists");
    expect(fake.statusQueries).toBe(0);
  });

  it("keeps a claim fresh for longer than any function can run (host.json's functionTimeout, the Consumption maximum)", async () => {
    const hostJson = JSON.parse(await readFile(new URL("../../host.json", import.meta.url), "utf8")) as { functionTimeout: string };
    const [hours = 0, minutes = 0, seconds = 0] = hostJson.functionTimeout.split(":").map(Number);
    const functionTimeoutMs = ((hours * 60 + minutes) * 60 + seconds) * 1000;
    const consumptionMaximumMs = 10 * 60_000;

    expect(functionTimeoutMs).toBe(5 * 60_000);
    expect(STALE_CLAIM_MS).toBeGreaterThan(Math.max(functionTimeoutMs, consumptionMaximumMs));
  });

  it("answers exists for a 'starting' claim as old as the longest function run: its starter may still be in startNew", async () => {
    const id = newId("slow");
    const claimedAt = new Date(Date.now() - 10 * 60_000);
    const claim = await claimStartingAt(id, claimedAt);

    expect(await run(id, 0)).toBe("exists");
    expect(fake.starts).toEqual([]);
    expect(await claims.read(id)).toEqual(claim);
  });

  it("takes over a 'starting' claim older than STALE_CLAIM_MS and starts the instance", async () => {
    const id = newId("stale");
    const claimedAt = new Date(Date.now() - STALE_CLAIM_MS - 60_000);
    await claimStartingAt(id, claimedAt);
    const now = new Date(claimedAt.getTime() + STALE_CLAIM_MS);

    expect(await run(id, 8, () => now)).toBe("started");
    expect(fake.starts).toEqual([{ name: "E3_Counter", instanceId: id, input: 8 }]);
    expect(await claims.read(id)).toMatchObject({ state: "started", claimedAt: now });
  });

  it("does not take over a stale 'starting' claim whose instance is running after all", async () => {
    const id = newId("stale-running");
    const claimedAt = new Date(Date.now() - STALE_CLAIM_MS - 60_000);
    const claim = await claimStartingAt(id, claimedAt);
    fake.addInstance({ name: "E3_Counter", instanceId: id, runtimeStatus: "Running" });

    expect(await run(id, 0)).toBe("exists");
    expect(fake.starts).toEqual([]);
    expect(await claims.read(id)).toEqual(claim);
  });

  it.each(["Completed", "Failed", "Terminated", "Canceled"] as const)(
    "starts again over a 'started' claim whose instance is %s",
    async (status) => {
      const id = newId(`again-${status}`);
      expect(await run(id, 1)).toBe("started");
      const instance = fake.instances.get(id);
      if (instance === undefined) throw new Error("the fake has no instance");
      instance.runtimeStatus = status;

      expect(await run(id, 2)).toBe("started");
      expect(fake.starts).toEqual([
        { name: "E3_Counter", instanceId: id, input: 1 },
        { name: "E3_Counter", instanceId: id, input: 2 },
      ]);
      expect(await claims.read(id)).toMatchObject({ state: "started" });
    },
  );

  it.each(["Pending", "Running", "ContinuedAsNew", "Suspended"] as const)(
    "answers exists over a 'started' claim whose instance is %s",
    async (status) => {
      const id = newId(`alive-${status}`);
      expect(await run(id, 1)).toBe("started");
      const instance = fake.instances.get(id);
      if (instance === undefined) throw new Error("the fake has no instance");
      instance.runtimeStatus = status;

      expect(await run(id, 2)).toBe("exists");
      expect(fake.starts).toHaveLength(1);
    },
  );

  it("answers exists when the instance is started between its status query's 404 and the probe", async () => {
    const id = newId("raced");
    expect(await run(id, 1)).toBe("started");
    fake.instances.delete(id); // purged: the claim is "started", its instance gone
    // Another starter takes the claim over and starts the id while this one looks the instance up.
    let queries = 0;
    fake.onStatusQuery = (queried) => {
      if (queried !== id || ++queries > 1) return undefined;
      fake.addInstance({ name: "E3_Counter", instanceId: id, runtimeStatus: "Pending", input: 7 });
      return 404;
    };

    expect(await run(id, 2)).toBe("exists");
    expect(fake.starts.map((start) => start.input)).toEqual([1]);
    expect(fake.instances.get(id)?.input).toBe(7);
  });

  it("starts again over a 'started' claim whose instance was purged", async () => {
    const id = newId("purged");
    expect(await run(id, 1)).toBe("started");
    fake.instances.delete(id);

    expect(await run(id, 2)).toBe("started");
    expect(fake.starts.map((start) => start.input)).toEqual([1, 2]);
  });

  it("answers exists when the engine refuses a duplicate started elsewhere, and keeps the claim as started", async () => {
    const id = newId("engine");
    fake.addInstance({ name: "E3_Counter", instanceId: id, runtimeStatus: "Running" });

    expect(await run(id, 1)).toBe("exists");
    expect(fake.starts).toEqual([]);
    expect(await claims.read(id)).toMatchObject({ state: "started" });
  });

  it("releases the claim and rethrows when the start fails for another reason", async () => {
    const id = newId("failing");
    fake.failStartsWith = 503;

    await expect(run(id, 1)).rejects.toThrow("The operation failed with an unexpected status code: 503.");
    expect(await claims.read(id)).toBeUndefined();
    expect(fake.starts).toEqual([]);

    fake.failStartsWith = undefined;
    expect(await run(id, 1)).toBe("started");
  });

  it("answers started when the start happened but marking the claim started failed, and logs a warning", async () => {
    const id = newId("mark-fails");
    class FailingMark extends SingletonClaims {
      override markStarted(): Promise<void> {
        return Promise.reject(new Error("table storage is unavailable"));
      }
    }
    const failing = new FailingMark(await storageTable(`${fake.taskHub}SingletonClaims`));
    const logs: LogLine[] = [];
    const context = invocationContext(registeredFunction("HttpStartSingle"), logs, fake.clientData());

    expect(await startSingleton(df.getClient(context), context, failing, "E3_Counter", id, 1)).toBe("started");
    expect(fake.starts).toEqual([{ name: "E3_Counter", instanceId: id, input: 1 }]);
    expect(logs).toEqual([
      { level: "warning", message: `Could not mark the singleton claim for '${id}' as started: Error: table storage is unavailable` },
    ]);
    // The claim stays "starting": the id is refused while it is fresh, as for any start in flight.
    expect(await claims.read(id)).toMatchObject({ state: "starting" });
    expect(await run(id, 2)).toBe("exists");
  });

  it("claims the id with one more insert when the claim it lost to was released before it could read it", async () => {
    const id = newId("released");
    // The first insert loses to a claim that is gone again by the time of the read.
    class LosingFirstInsert extends SingletonClaims {
      private lostOnce = false;
      override async tryCreate(instanceId: string, orchestrator: string, now: Date) {
        if (!this.lostOnce) {
          this.lostOnce = true;
          return undefined;
        }
        return super.tryCreate(instanceId, orchestrator, now);
      }
    }
    const losing = new LosingFirstInsert(await storageTable(`${fake.taskHub}SingletonClaims`));

    expect(await run(id, 3, undefined, losing)).toBe("started");
    expect(fake.starts).toEqual([{ name: "E3_Counter", instanceId: id, input: 3 }]);
    expect(await claims.read(id)).toMatchObject({ state: "started" });
  });

  describe("when the claim it would take over is released between its read and its takeover", () => {
    /**
     * Claims whose takeover finds the claim deleted, as when the starter that held it releases it
     * after a failed start right after this one read it: the release really happens in the table,
     * so the takeover really gets Table storage's 404. `meanwhile` runs after that 404.
     */
    class ReleasedBeforeTakeOver extends SingletonClaims {
      creates = 0;
      constructor(
        table: Awaited<ReturnType<typeof storageTable>>,
        private readonly meanwhile: (instanceId: string) => Promise<void> = () => Promise.resolve(),
      ) {
        super(table);
      }
      override tryCreate(instanceId: string, orchestrator: string, now: Date) {
        this.creates += 1;
        return super.tryCreate(instanceId, orchestrator, now);
      }
      override async tryTakeOver(previous: SingletonClaim, orchestrator: string, now: Date) {
        await claims.release(previous);
        const result = await super.tryTakeOver(previous, orchestrator, now);
        await this.meanwhile(previous.instanceId);
        return result;
      }
    }

    async function finishedInstance(prefix: string): Promise<string> {
      const id = newId(prefix);
      expect(await run(id, 1)).toBe("started");
      const instance = fake.instances.get(id);
      if (instance === undefined) throw new Error("the fake has no instance");
      instance.runtimeStatus = "Completed";
      return id;
    }

    it("claims the id with one more insert and starts it, rather than answering exists with nothing running", async () => {
      const id = await finishedInstance("released-takeover");
      const releasing = new ReleasedBeforeTakeOver(await storageTable(`${fake.taskHub}SingletonClaims`));

      expect(await run(id, 2, undefined, releasing)).toBe("started");
      expect(releasing.creates).toBe(2);
      expect(fake.starts.map((start) => start.input)).toEqual([1, 2]);
      expect(await claims.read(id)).toMatchObject({ orchestrator: "E3_Counter", state: "started" });
    });

    it("inserts only once more: answers exists when another starter claims the id first, and starts nothing", async () => {
      const id = await finishedInstance("released-lost");
      const rival = (instanceId: string) => claimStartingAt(instanceId, new Date()).then(() => undefined);
      const releasing = new ReleasedBeforeTakeOver(await storageTable(`${fake.taskHub}SingletonClaims`), rival);

      expect(await run(id, 2, undefined, releasing)).toBe("exists");
      expect(releasing.creates).toBe(2);
      expect(fake.starts.map((start) => start.input)).toEqual([1]);
      // The rival's fresh claim stands: its start is in flight.
      expect(await claims.read(id)).toMatchObject({ state: "starting" });
    });
  });
});
