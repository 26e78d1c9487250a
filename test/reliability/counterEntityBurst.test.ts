import { describe, expect, it } from "vitest";
import { useE2eTarget } from "../e2e/support/e2eTarget.js";
import { counterUrl, uniqueId } from "../e2e/support/app.js";
import { describeResult, expectJson, get, jsonObject, post, type HttpResult } from "../e2e/support/http.js";
import { pollUntil } from "../e2e/support/poll.js";
import { counts, mapConcurrently } from "./support/concurrency.js";
import { recordFigures } from "./support/figures.js";

/**
 * The Counter entity under bursts, with batched delivery on: 1,000 signals over 10 counters all
 * land exactly once, and concurrent ?wait=true adds answer values the counter really passed through.
 */

const target = useE2eTarget({ name: "counterburst", clock: "real" });

/** Signals answer at once (202), so 100 in flight keeps the burst concurrent without 1,000 sockets. */
const SIGNALS_IN_FLIGHT = 100;
const SETTLE_TIMEOUT_MS = 120_000;

function addUrl(id: string, amount: number, wait: boolean): string {
  return counterUrl(target, [id, "add"], { value: String(amount), ...(wait ? { wait: "true" } : {}) });
}

async function readValue(id: string): Promise<unknown> {
  const result = await get(counterUrl(target, [id]));
  return result.status === 404 ? undefined : jsonObject(result).value;
}

/** Polls every counter until each shows its expected value; fails with the last values seen. */
async function waitForValues(expected: ReadonlyMap<string, number>): Promise<void> {
  await pollUntil(
    `every counter to reach its total ${JSON.stringify(Object.fromEntries(expected))}`,
    async () => Promise.all([...expected.keys()].map(async (id) => [id, await readValue(id)] as const)),
    (seen) => seen.every(([id, value]) => value === expected.get(id)),
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 500 },
  );
}

describe("Counter entity bursts", { timeout: 240_000 }, () => {
  it("2.1 applies 1,000 concurrent signals over 10 counters exactly once each", async () => {
    const ids = Array.from({ length: 10 }, (_, index) => uniqueId(`sig${index}`));
    // Signal n adds n (1 to 1,000) to counter n mod 10: every counter gets 100 distinct amounts,
    // so a lost or doubled signal shows as a total that is off by that amount.
    const signals = Array.from({ length: 1_000 }, (_, index) => ({ id: ids[index % ids.length] as string, amount: index + 1 }));
    const expected = new Map<string, number>(ids.map((id) => [id, 0]));
    for (const { id, amount } of signals) expected.set(id, (expected.get(id) ?? 0) + amount);

    const startedAt = Date.now();
    const answers = await mapConcurrently(signals, SIGNALS_IN_FLIGHT, ({ id, amount }) => post(addUrl(id, amount, false)));
    signals.forEach(({ id, amount }, index) => {
      expectJson(answers[index] as HttpResult, 202, { id, operation: "add", value: amount });
    });
    await waitForValues(expected);
    const seconds = (Date.now() - startedAt) / 1000;

    // Read-your-writes through the entity itself: adding 0 answers each total, so no signal is
    // still waiting to be applied a second time.
    for (const [id, total] of expected) {
      expectJson(await post(addUrl(id, 0, true)), 200, { id, operation: "add", value: total });
    }

    recordFigures({
      id: "2.1",
      title: "1,000 concurrent add signals over 10 counters",
      figures: {
        signals: signals.length,
        accepted: answers.filter((answer) => answer.status === 202).length,
        "counters exact": [...expected.keys()].length,
        "sum of totals": [...expected.values()].reduce((total, value) => total + value, 0),
        seconds: Math.round(seconds),
      },
    });
  });

  it("2.2 answers concurrent ?wait=true adds with distinct values the counter passed through, the largest being the final value", async () => {
    const ids = Array.from({ length: 5 }, (_, index) => uniqueId(`wait${index}`));
    const addsPerCounter = 10;
    const requests = ids.flatMap((id) => Array.from({ length: addsPerCounter }, () => id));
    // All 50 at once: each runs its own orchestration, and they meet at the entity.
    const answers = await Promise.all(requests.map((id) => post(addUrl(id, 1, true))));
    const statuses = counts(answers.map((answer) => answer.status));
    expect(Object.fromEntries(statuses), answers.filter((a) => a.status !== 200).slice(0, 3).map(describeResult).join("\n")).toEqual({
      200: requests.length,
    });

    for (const id of ids) {
      const values = answers
        .filter((_, index) => requests[index] === id)
        .map((answer) => jsonObject(answer).value as number)
        .sort((a, b) => a - b);
      // Each add of 1 moved the counter by one from 0: the answers are exactly 1..10, once each.
      expect(values, id).toEqual(Array.from({ length: addsPerCounter }, (_, index) => index + 1));
      expectJson(await get(counterUrl(target, [id])), 200, { id, value: Math.max(...values) });
    }

    recordFigures({
      id: "2.2",
      title: `${requests.length} concurrent ?wait=true adds over ${ids.length} counters`,
      figures: {
        requests: requests.length,
        "answered 200": statuses.get(200) ?? 0,
        "distinct answers per counter": addsPerCounter,
        "counters exact": ids.length,
      },
    });
  });
});
