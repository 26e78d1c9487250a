import { beforeAll, describe, expect, it, inject } from "vitest";
import { SingletonClaims } from "../../src/storage/SingletonClaims.js";

/** The claims table against a real Azurite: the atomicity lives in table storage, so nothing is faked. */

let claims: SingletonClaims;
const ANY_ETAG: unknown = expect.any(String);

beforeAll(async () => {
  process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
  claims = await SingletonClaims.forTaskHub(`Hub${Date.now()}${Math.floor(Math.random() * 1000)}`);
});

let uniqueIds = 0;
const newId = (prefix: string): string => `${prefix}-${Date.now()}-${++uniqueIds}`;

async function created(instanceId: string, orchestrator = "E3_Counter", now = new Date()) {
  const claim = await claims.tryCreate(instanceId, orchestrator, now);
  if (claim === undefined) throw new Error(`the claim for ${instanceId} was not created`);
  return claim;
}

describe("SingletonClaims on Azurite", () => {
  it("creates a claim once: a second tryCreate for the same id answers undefined", async () => {
    const id = newId("create");
    const now = new Date("2030-01-02T03:04:05.678Z");
    const first = await claims.tryCreate(id, "E3_Counter", now);
    expect(first).toEqual({ instanceId: id, orchestrator: "E3_Counter", state: "starting", claimedAt: now, etag: ANY_ETAG });

    expect(await claims.tryCreate(id, "E1_HelloSequence", new Date())).toBeUndefined();
    expect(await claims.read(id)).toEqual(first);
  });

  it("lets exactly one of two concurrent tryCreate calls win", async () => {
    const id = newId("pair");
    const results = await Promise.all([
      claims.tryCreate(id, "E3_Counter", new Date()),
      claims.tryCreate(id, "Approval", new Date()),
    ]);
    const winners = results.filter((claim) => claim !== undefined);
    expect(winners).toHaveLength(1);
    expect((await claims.read(id))?.orchestrator).toBe(winners[0]?.orchestrator);
  });

  it("lets exactly one of 20 concurrent tryCreate calls win", async () => {
    const id = newId("crowd");
    const results = await Promise.all(Array.from({ length: 20 }, () => claims.tryCreate(id, "E3_Counter", new Date())));
    expect(results.filter((claim) => claim !== undefined)).toHaveLength(1);
  });

  it("reads an id that was never claimed as undefined", async () => {
    expect(await claims.read(newId("never"))).toBeUndefined();
  });

  it("takes over a claim read with its current etag, and refuses a stale etag as changed", async () => {
    const id = newId("takeover");
    const original = await created(id);
    const later = new Date(original.claimedAt.getTime() + 120_000);

    const takenOver = await claims.tryTakeOver(original, "E1_HelloSequence", later);
    expect(takenOver).toEqual({ instanceId: id, orchestrator: "E1_HelloSequence", state: "starting", claimedAt: later, etag: ANY_ETAG });
    if (typeof takenOver === "string") throw new Error(`the takeover lost: ${takenOver}`);
    expect(takenOver.etag).not.toBe(original.etag);

    expect(await claims.tryTakeOver(original, "Approval", new Date())).toBe("changed");
    expect(await claims.read(id)).toEqual(takenOver);
  });

  it("lets exactly one of several concurrent takeovers with the same etag win", async () => {
    const id = newId("takeover-race");
    const original = await created(id);
    const results = await Promise.all(Array.from({ length: 10 }, () => claims.tryTakeOver(original, "E3_Counter", new Date())));
    expect(results.filter((claim) => typeof claim === "object")).toHaveLength(1);
    expect(results.filter((claim) => claim === "changed")).toHaveLength(9);
  });

  it("refuses to take over a claim that was released meanwhile, as released (not changed: nobody holds the id)", async () => {
    const id = newId("takeover-gone");
    const original = await created(id);
    await claims.release(original);
    expect(await claims.tryTakeOver(original, "E3_Counter", new Date())).toBe("released");
    expect(await claims.read(id)).toBeUndefined();
  });

  it("releases a claim with its current etag, so that the id can be claimed again", async () => {
    const id = newId("release");
    const claim = await created(id);
    await claims.release(claim);
    expect(await claims.read(id)).toBeUndefined();
    expect(await claims.tryCreate(id, "E3_Counter", new Date())).toBeDefined();
  });

  it("leaves a claim alone when released with an old etag", async () => {
    const id = newId("release-stale");
    const original = await created(id);
    const takenOver = await claims.tryTakeOver(original, "E3_Counter", new Date());

    await claims.release(original);
    expect(await claims.read(id)).toEqual(takenOver);
  });

  it("does nothing when releasing a claim that is already gone", async () => {
    const id = newId("release-twice");
    const claim = await created(id);
    await claims.release(claim);
    await expect(claims.release(claim)).resolves.toBeUndefined();
    expect(await claims.read(id)).toBeUndefined();
  });

  it("marks a claim started, keeping its orchestrator and time", async () => {
    const id = newId("started");
    const now = new Date("2031-05-06T07:08:09.010Z");
    const claim = await created(id, "Monitor", now);

    await claims.markStarted(claim);
    const read = await claims.read(id);
    expect(read).toEqual({ instanceId: id, orchestrator: "Monitor", state: "started", claimedAt: now, etag: ANY_ETAG });
    expect(read?.etag).not.toBe(claim.etag);
  });

  it("refuses to mark started a claim that someone else has taken over", async () => {
    const id = newId("started-stale");
    const original = await created(id);
    const takenOver = await claims.tryTakeOver(original, "E3_Counter", new Date());

    await expect(claims.markStarted(original)).rejects.toMatchObject({ statusCode: 412 });
    expect(await claims.read(id)).toEqual(takenOver);
  });
});
