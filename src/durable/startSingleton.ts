import type { InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { findInstance, isTerminal } from "./instances.js";
import type { SingletonClaim, SingletonClaims } from "../storage/SingletonClaims.js";

/**
 * A claim still "starting" after this long belongs to a starter that died before its start happened.
 *
 * A starter holds its claim for as long as its function runs, and startNew has no timeout of its
 * own, so a slow but live starter must never look dead: the threshold has to exceed the longest
 * possible run. host.json's functionTimeout is 5 minutes and the Consumption plan allows at most 10
 * (the HTTP response gives up after 230 seconds, but the function goes on running). 15 minutes is
 * that maximum plus 5 minutes for clock skew between the instance that wrote claimedAt and the one
 * reading it. Raise it with functionTimeout if the app moves to a plan that allows longer runs.
 */
export const STALE_CLAIM_MS = 15 * 60_000;

export type SingletonStartResult = "started" | "exists";

/** Everything one start needs, passed to the steps below. */
interface SingletonStart {
  client: DurableClient;
  context: InvocationContext;
  claims: SingletonClaims;
  orchestrator: string;
  instanceId: string;
  now: () => Date;
}

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
  const start: SingletonStart = { client, context, claims, orchestrator, instanceId, now };
  const claim = (await claims.tryCreate(instanceId, orchestrator, now())) ?? (await takeOverFinishedClaim(start));
  if (claim === undefined) return "exists";

  try {
    await client.startNew(orchestrator, { instanceId, input });
  } catch (error) {
    const existing = await findInstance(context, instanceId, { showInput: false });
    if (existing !== undefined && !isTerminal(existing)) {
      // Started outside this starter (the built-in webhook, say): the engine refused a duplicate.
      await markStarted(start, claim);
      return "exists";
    }
    await claims.release(claim);
    throw error;
  }
  await markStarted(start, claim);
  return "started";
}

/**
 * The claim on an id that is already claimed, or undefined when the id is taken: a start is in
 * flight (a fresh "starting" claim), its instance is alive, or another starter took the claim over
 * first. Only a claim whose instance has finished, was purged or never started is taken over.
 *
 * A claim that disappears under us (its starter released it after a failed start) is claimed with
 * one more insert, once: whoever wins that insert starts the id, and a loss there means another
 * starter has it now.
 */
async function takeOverFinishedClaim(start: SingletonStart): Promise<SingletonClaim | undefined> {
  const { claims, instanceId, orchestrator, now } = start;
  const previous = await claims.read(instanceId);
  if (previous === undefined) {
    // Released between our insert and our read: one more insert decides it.
    return claims.tryCreate(instanceId, orchestrator, now());
  }
  // Decided from the claim alone, before any status call: the instance may not exist yet, and the
  // start that is about to create it must not be raced.
  const startInFlight = previous.state === "starting" && now().getTime() - previous.claimedAt.getTime() < STALE_CLAIM_MS;
  if (startInFlight) return undefined;
  const existing = await findInstance(start.context, instanceId, { showInput: false });
  if (existing !== undefined && !isTerminal(existing)) return undefined;
  const takenOver = await claims.tryTakeOver(previous, orchestrator, now());
  if (takenOver === "changed") return undefined;
  // Released between our read and our takeover: nothing runs and nobody holds the id.
  if (takenOver === "released") return claims.tryCreate(instanceId, orchestrator, now());
  return takenOver;
}

/** The instance exists either way; a claim left "starting" only makes a later takeover wait until it is stale. */
async function markStarted(start: SingletonStart, claim: SingletonClaim): Promise<void> {
  try {
    await start.claims.markStarted(claim);
  } catch (error) {
    start.context.warn(`Could not mark the singleton claim for '${start.instanceId}' as started:`, error);
  }
}
