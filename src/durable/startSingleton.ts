import type { InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { findInstance, isTerminal } from "./instances.js";
import type { SingletonClaim, SingletonClaims } from "../storage/SingletonClaims.js";

/** A claim still "starting" after this long belongs to a starter that died before its start happened. */
export const STALE_CLAIM_MS = 60_000;

export type SingletonStartResult = "started" | "exists";

/**
 * Starts `orchestrator` as instance `instanceId` unless an instance with that id is Pending,
 * Running, ContinuedAsNew or Suspended. The reference design (getStatus, then startNew) lets two
 * concurrent callers both start, and so does the engine's own check; here the right to start is
 * won by an atomic claim in table storage first, and the engine's refusal is the second line.
 */
export async function startSingleton(
  client: DurableClient,
  context: InvocationContext,
  claims: SingletonClaims,
  orchestrator: string,
  instanceId: string,
  input: unknown,
  now: () => Date = () => new Date(),
): Promise<SingletonStartResult> {
  const claim = (await claims.tryCreate(instanceId, orchestrator, now())) ?? (await takeOverFinishedClaim());
  if (claim === undefined) return "exists";

  try {
    await client.startNew(orchestrator, { instanceId, input });
  } catch (error) {
    const existing = await findInstance(client, context, instanceId);
    if (existing !== undefined && !isTerminal(existing)) {
      // Started outside this starter (the built-in webhook, say): the engine refused a duplicate.
      await markStarted(claim);
      return "exists";
    }
    await claims.release(claim);
    throw error;
  }
  await markStarted(claim);
  return "started";

  /** The instance exists either way; a claim left "starting" only makes a later takeover wait until it is stale. */
  async function markStarted(started: SingletonClaim): Promise<void> {
    try {
      await claims.markStarted(started);
    } catch (error) {
      context.warn(`Could not mark the singleton claim for '${instanceId}' as started:`, error);
    }
  }

  async function takeOverFinishedClaim(): Promise<SingletonClaim | undefined> {
    const previous = await claims.read(instanceId);
    if (previous === undefined) {
      // Released between our insert and our read: one more insert decides it.
      return claims.tryCreate(instanceId, orchestrator, now());
    }
    const existing = await findInstance(client, context, instanceId);
    if (existing !== undefined && !isTerminal(existing)) return undefined;
    const startInFlight = previous.state === "starting" && now().getTime() - previous.claimedAt.getTime() < STALE_CLAIM_MS;
    if (startInFlight) return undefined;
    return claims.tryTakeOver(previous, orchestrator, now());
  }
}
