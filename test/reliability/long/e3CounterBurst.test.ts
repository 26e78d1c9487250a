import { describe, expect, it, onTestFinished } from "vitest";
import { useE2eTarget } from "../../e2e/support/e2eTarget.js";
import { e3CounterUrl, startAndCheck, uniqueId } from "../../e2e/support/app.js";
import { raiseEvent, terminateQuietly, waitForStatus, type CheckStatusPayload } from "../../e2e/support/durable.js";
import { describeResult, expectJson, get } from "../../e2e/support/http.js";
import { counts, mapConcurrently } from "../support/concurrency.js";
import {
  confirmedOperation,
  e3GenerationHistoryBound,
  interleavedOperations,
  longestHistoryWhile,
  rememberedOperations,
  sendAsClient,
  sendThroughEndpoint,
  type CountingOperation,
} from "../support/e3Counter.js";
import { recordFigures } from "../support/figures.js";

/**
 * E3_Counter under bursts, with batched delivery on (the default): 500 incr and 200 decr at once,
 * through the exactly-once endpoint (nothing lost, nothing twice, bounded history) and through the
 * raw raiseEvent webhook (where a ContinueAsNew drops the rest of its batch, and nobody resends).
 */

const target = useE2eTarget({ name: "e3burst", clock: "real" });

const INCRS = 500;
const DECRS = 200;
/**
 * 100 requests in flight at a time: each one waits in the host for its confirmation (resending
 * when a generation ends without it), so 100 waiters keep the counter's queue full and every
 * generation under pressure. All 700 at once made the 2-core test machine itself the subject:
 * requests then outlived the test client's 60 s before the host could even answer. Where one
 * waits past the endpoint's 30 s it gets a 202; the client repeats with the operation id as
 * Idempotency-Key, as README says, and the case counts those.
 */
const IN_FLIGHT = 100;

async function startCounter(prefix: string): Promise<{ id: string; payload: CheckStatusPayload }> {
  const id = uniqueId(prefix);
  const payload = await startAndCheck(target, "E3_Counter", { instanceId: id });
  onTestFinished(() => terminateQuietly(payload));
  await waitForStatus(payload.statusQueryGetUri, "the counter to run", (seen) => seen.runtimeStatus === "Running" && seen.customStatus !== null);
  return { id, payload };
}

/**
 * Waits until the counter has continued as new after `operationId` (its input then carries every
 * id it remembers) and returns those ids with their outcomes.
 */
async function rememberedAfter(payload: CheckStatusPayload, operationId: string): Promise<{ value: number; ids: string[] }> {
  const status = await waitForStatus(
    `${payload.statusQueryGetUri}&showInput=true`,
    `the input to remember '${operationId}'`,
    (seen) => rememberedOperations(seen)?.some(([id]) => id === operationId) === true,
    { timeoutMs: 60_000 },
  );
  // A list, not a set: an id listed twice would be a bookkeeping bug worth seeing.
  return { value: (status.input as { value: number }).value, ids: (rememberedOperations(status) ?? []).map(([id]) => id) };
}

describe("E3_Counter bursts", { timeout: 240_000 }, () => {
  it("1.1 applies 500 incr and 200 decr through the endpoint exactly once each, with every request confirmed and history bounded", async () => {
    const { id, payload } = await startCounter("burst");
    const operations = interleavedOperations(INCRS, DECRS);
    const startedAt = Date.now();
    const sending = sendThroughEndpoint(target, id, operations, IN_FLIGHT);
    const longestHistory = await longestHistoryWhile(payload, sending);
    const exchanges = await sending;
    const seconds = (Date.now() - startedAt) / 1000;

    // Nothing but "confirmed" (200) and "not yet" (202) at first; every one confirmed in the end.
    const firstAnswers = counts(exchanges.map((exchange) => exchange.first.status));
    const unexpected = exchanges.filter((exchange) => exchange.first.status !== 200 && exchange.first.status !== 202);
    expect(unexpected.length, unexpected.slice(0, 3).map((exchange) => describeResult(exchange.first)).join("\n")).toBe(0);
    const confirmed = exchanges.map((exchange, index) => confirmedOperation(operations[index] as CountingOperation, exchange.final, id));
    const operationIds = new Set(confirmed.map((operation) => operation.operationId));
    expect(operationIds.size).toBe(INCRS + DECRS);

    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: INCRS - DECRS, runtimeStatus: "Running" });
    // Every confirmed id is remembered, each once; with the value above, none was applied twice.
    const marker = uniqueId("marker");
    expectJson((await sendAsClient(target, id, "incr", marker)).final, 200, { instanceId: id, value: INCRS - DECRS + 1, operationId: marker });
    const { value: rememberedValue, ids: rememberedIds } = await rememberedAfter(payload, marker);
    expect(rememberedValue).toBe(INCRS - DECRS + 1);
    expect(rememberedIds.length).toBe(new Set(rememberedIds).size);
    expect(rememberedIds.filter((rememberedId) => operationIds.has(rememberedId)).length).toBe(INCRS + DECRS);

    const bound = e3GenerationHistoryBound();
    expect(longestHistory).toBeGreaterThan(0);
    expect(longestHistory).toBeLessThanOrEqual(bound);

    recordFigures({
      id: "1.1",
      title: `${INCRS} incr + ${DECRS} decr interleaved through POST /api/e3counter/{id}/{op}, ${IN_FLIGHT} in flight`,
      figures: {
        sent: operations.length,
        "confirmed at once (200)": firstAnswers.get(200) ?? 0,
        "202, confirmed on repeat": firstAnswers.get(202) ?? 0,
        repeats: exchanges.reduce((total, exchange) => total + exchange.repeats, 0),
        confirmed: confirmed.length,
        "final value": INCRS - DECRS,
        "applied twice": rememberedIds.length - new Set(rememberedIds).size,
        "longest history (events)": longestHistory,
        "history bound": bound,
        seconds: Math.round(seconds),
      },
    });
  });

  it("1.2 counts what the raw raiseEvent webhook loses in the same burst, where nobody resends", async () => {
    const { id, payload } = await startCounter("raw");
    const operations = interleavedOperations(INCRS, DECRS);
    // Each raw event carries an id only as a tracer, so that the applied ones can be told apart
    // afterwards: the counter applies it like the reference's bare "incr", and nobody resends it.
    const sent = operations.map((op, index) => ({ op, id: `raw-${index}` }));
    // The raw webhook answers at once (202, queued), so all 700 can be in flight together.
    const answers = await mapConcurrently(sent, sent.length, (operation) => raiseEvent(payload, "operation", operation));
    for (const answer of answers) expect(answer.status, describeResult(answer)).toBe(202);

    // The marker goes through the endpoint after every raw event was accepted: once the counter
    // has continued as new after confirming it, the raw events queued before it were taken.
    const marker = uniqueId("marker");
    const markerAnswer = (await sendAsClient(target, id, "incr", marker)).final;
    expect(markerAnswer.status, describeResult(markerAnswer)).toBe(200);
    const { value, ids } = await rememberedAfter(payload, marker);
    const remembered = new Set(ids);
    const appliedOps = sent.filter((operation) => remembered.has(operation.id));
    const appliedIncrs = appliedOps.filter((operation) => operation.op === "incr").length;
    const appliedDecrs = appliedOps.length - appliedIncrs;
    const lost = sent.length - appliedOps.length;

    // Consistent: the value is exactly what the applied operations (and the marker) add up to.
    expect(value).toBe(appliedIncrs - appliedDecrs + 1);
    expect(appliedIncrs).toBeLessThanOrEqual(INCRS);
    expect(appliedDecrs).toBeLessThanOrEqual(DECRS);
    expect(lost).toBe(INCRS - appliedIncrs + (DECRS - appliedDecrs));

    recordFigures({
      id: "1.2",
      title: `the same burst through the raw raiseEvent webhook (no resends)`,
      figures: { sent: sent.length, applied: appliedOps.length, lost, "final value": value - 1, "expected value": INCRS - DECRS },
    });
  });
});
