import { expect } from "vitest";
import { E3_LIMITS, type RememberedOperation } from "../../../src/logic/e3CounterState.js";
import { e3Operation } from "../../e2e/support/app.js";
import { describeResult, get, jsonObject, type HttpResult } from "../../e2e/support/http.js";
import type { CheckStatusPayload, InstanceStatus } from "../../e2e/support/durable.js";
import type { E2eTarget } from "../../e2e/support/e2eTarget.js";
import { mapConcurrently } from "./concurrency.js";

/** The E3_Counter as the reliability cases drive and inspect it. */

export type CountingOperation = "incr" | "decr";

/**
 * `incr` incrs and `decr` decrs, with the decrs spread evenly through the incrs (for 500 and 200:
 * a decr after every 2.5 incrs), so that both kinds are in flight together all the time.
 */
export function interleavedOperations(incr: number, decr: number): CountingOperation[] {
  const total = incr + decr;
  return Array.from({ length: total }, (_, index): CountingOperation =>
    // The decr count reached by position index+1 grows by one exactly decr times over the sequence.
    Math.floor(((index + 1) * decr) / total) > Math.floor((index * decr) / total) ? "decr" : "incr",
  );
}

/**
 * The longest history one generation of E3_Counter can have, from its rules: a generation ends
 * after at most E3_LIMITS.maxEventsPerGeneration events (E). Each loop turn waits with one idle
 * timer, so at most E + 1 TimerCreated and E + 1 TimerFired (a cancelled timer's firing is still
 * recorded); every episode is woken by one message (an event, a timer or the start), so at most
 * 2E + 2 episodes, each with an OrchestratorStarted and an OrchestratorCompleted; plus
 * ExecutionStarted, the E EventRaised and the final ContinueAsNew or ExecutionCompleted.
 */
export function e3GenerationHistoryBound(): number {
  const events = E3_LIMITS.maxEventsPerGeneration;
  const timers = events + 1;
  const episodes = events + timers + 1;
  return 1 + events + 2 * timers + 2 * episodes + 1;
}

/** The number of history events of the instance's current generation, from the built-in status API. */
export async function historyLength(payload: CheckStatusPayload): Promise<number> {
  const result = await get(`${payload.statusQueryGetUri}&showHistory=true&showInput=false`);
  const events = jsonObject(result).historyEvents;
  if (!Array.isArray(events)) throw new Error(`No historyEvents in the status.\n${describeResult(result)}`);
  return events.length;
}

/**
 * Samples the history length until `until` settles, returning the longest seen: the bound must
 * hold during the burst, not only once the counter has gone quiet.
 */
export async function longestHistoryWhile(payload: CheckStatusPayload, until: Promise<unknown>, intervalMs = 1_000): Promise<number> {
  const progress = { settled: false };
  const settle = (): void => void (progress.settled = true);
  until.then(settle, settle);
  let longest = 0;
  while (!progress.settled) {
    longest = Math.max(longest, await historyLength(payload));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Math.max(longest, await historyLength(payload));
}

export interface ConfirmedOperation {
  op: CountingOperation;
  operationId: string;
  /** The value right after the operation, as the endpoint answered it. */
  value: number;
}

export interface EndpointExchange {
  /** The first answer; a 202 means "not confirmed yet" (README), not a failure. */
  first: HttpResult;
  /** The answer that ended the exchange: the first one, or the last repeat's. */
  final: HttpResult;
  /** How often the request was repeated with its operation id as Idempotency-Key. */
  repeats: number;
}

/** Repeats of a 202 are bounded: a counter that confirms nothing for this long has failed the case. */
const MAX_REPEATS = 10;

/**
 * Sends one operation as README tells a client to: on a 202, repeat the request with the
 * operation id as Idempotency-Key until it is confirmed (200), or answered otherwise.
 */
export async function sendAsClient(target: E2eTarget, instanceId: string, op: CountingOperation, idempotencyKey?: string): Promise<EndpointExchange> {
  const first = await e3Operation(target, instanceId, op, idempotencyKey);
  let final = first;
  let repeats = 0;
  while (final.status === 202 && repeats < MAX_REPEATS) {
    const operationId = jsonObject(final).operationId;
    if (typeof operationId !== "string") throw new Error(`A 202 without operationId.\n${describeResult(final)}`);
    repeats += 1;
    final = await e3Operation(target, instanceId, op, operationId);
  }
  return { first, final, repeats };
}

/** Sends the operations as clients would (sendAsClient), at most `inFlight` at once, answers in order. */
export function sendThroughEndpoint(target: E2eTarget, instanceId: string, operations: readonly CountingOperation[], inFlight: number): Promise<EndpointExchange[]> {
  return mapConcurrently(operations, inFlight, (op) => sendAsClient(target, instanceId, op));
}

/** A 200 from the endpoint as {op, operationId, value}; fails with the whole answer otherwise. */
export function confirmedOperation(op: CountingOperation, result: HttpResult, instanceId: string): ConfirmedOperation {
  expect(result.status, describeResult(result)).toBe(200);
  const body = jsonObject(result);
  expect(body.instanceId, describeResult(result)).toBe(instanceId);
  if (typeof body.operationId !== "string" || typeof body.value !== "number") throw new Error(`Not a confirmation.\n${describeResult(result)}`);
  return { op, operationId: body.operationId, value: body.value };
}

/** The counter's status input once it carries remembered ids: {value, recentOps}; undefined for a bare value. */
export function rememberedOperations(status: InstanceStatus): RememberedOperation[] | undefined {
  const input = status.input as { recentOps?: unknown } | null;
  return typeof input === "object" && input !== null && Array.isArray(input.recentOps) ? (input.recentOps as RememberedOperation[]) : undefined;
}
