import { describe, expect, it } from "vitest";
import { FRESH_HUB_SKIP_REASON, itSkippedOnExternalHost, useE2eTarget } from "./support/e2eTarget.js";
import { counterUrl, startAndCheck, uniqueId } from "./support/app.js";
import { entityStateUri, instancesQueryUri, type CheckStatusPayload } from "./support/durable.js";
import { expectJson, expectJsonError, get, jsonObject, post } from "./support/http.js";
import { pollUntil } from "./support/poll.js";

/** The Counter durable entity through its routes, as README's curl walkthrough drives it. */

const target = useE2eTarget({ name: "entity", clock: "real" });

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Reads GET /api/counter[/{id}] until it shows the value: signals are processed after their 202. */
async function waitForValue(id: string | undefined, value: number): Promise<void> {
  const url = counterUrl(target, id === undefined ? [] : [id]);
  const result = await pollUntil(`${url} to show ${value}`, () => get(url), (seen) => seen.status === 200 && jsonObject(seen).value === value);
  expectJson(result, 200, { id: id ?? "counter", value });
}

/** The check-status payload of a small instance, for the built-in API URLs (hub, connection, key). */
function anyCheckStatusPayload(): Promise<CheckStatusPayload> {
  return startAndCheck(target, "E1_HelloSequence");
}

describe("Counter, the durable entity", { timeout: 60_000 }, () => {
  itSkippedOnExternalHost(FRESH_HUB_SKIP_REASON, "reads the default counter as 0 before anyone has written it", async () => {
    // Only a fresh task hub is sure to have no default counter yet.
    expectJson(await get(counterUrl(target, [])), 200, { id: "counter", value: 0 });
  });

  it("adds to the default counter from ?value= and from a {\"value\"} body, and resets it, as README shows", async () => {
    // Against a shared hub the default counter may hold anything: start from a known 0.
    expectJson(await post(counterUrl(target, ["reset"], { wait: "true" })), 200, { id: "counter", operation: "reset", value: 0 });
    expectJson(await get(counterUrl(target, [])), 200, { id: "counter", value: 0 });

    expectJson(await post(counterUrl(target, ["add"], { value: "3" })), 202, { id: "counter", operation: "add", value: 3 });
    expectJson(await post(counterUrl(target, ["add"]), { data: '{"value":2}' }), 202, { id: "counter", operation: "add", value: 2 });
    await waitForValue(undefined, 5);
    // No amount at all adds 1.
    expectJson(await post(counterUrl(target, ["add"])), 202, { id: "counter", operation: "add", value: 1 });
    await waitForValue(undefined, 6);

    expectJson(await post(counterUrl(target, ["reset"])), 202, { id: "counter", operation: "reset" });
    await waitForValue(undefined, 0);
  });

  it("follows the named-counter walkthrough: a raw body, ?wait=true read-your-writes, reset with wait", async () => {
    const apples = uniqueId("apples");
    expectJson(await post(counterUrl(target, [apples]), { data: "10" }), 202, { id: apples, operation: "add", value: 10 });
    // The signal was sent first, so the waited add lands after it: 10 + 5.
    expectJson(await post(counterUrl(target, [apples, "add"], { value: "5", wait: "true" })), 200, { id: apples, operation: "add", value: 15 });
    // Read-your-writes: right after the 200 the read shows it, no polling.
    expectJson(await get(counterUrl(target, [apples])), 200, { id: apples, value: 15 });
    expectJson(await post(counterUrl(target, [apples, "reset"], { wait: "true" })), 200, { id: apples, operation: "reset", value: 0 });
    expectJson(await get(counterUrl(target, [apples])), 200, { id: apples, value: 0 });
    expectJson(await post(counterUrl(target, [apples, "add"]), { json: { value: -4 } }), 202, { id: apples, operation: "add", value: -4 });
    await waitForValue(apples, -4);
  });

  it("answers 409 operation_refused for a waited add beyond the safe integer range and leaves the value alone", async () => {
    const big = uniqueId("big");
    expectJson(await post(counterUrl(target, [big, "add"], { value: String(MAX_SAFE), wait: "true" })), 200, {
      id: big,
      operation: "add",
      value: MAX_SAFE,
    });
    expectJsonError(
      await post(counterUrl(target, [big, "add"], { value: "1", wait: "true" })),
      409,
      "operation_refused",
      `add refused: Adding 1 to ${MAX_SAFE} would leave the safe integer range (±${MAX_SAFE}).`,
    );
    expectJson(await get(counterUrl(target, [big])), 200, { id: big, value: MAX_SAFE });
  });

  it("purges the orchestration behind a ?wait=true once its answer has been read", async () => {
    const since = new Date().toISOString();
    const id = uniqueId("wait");
    expectJson(await post(counterUrl(target, [id, "add"], { value: "2", wait: "true" })), 200, { id, operation: "add", value: 2 });
    const payload = await anyCheckStatusPayload();
    const listed = await get(instancesQueryUri(payload, { createdTimeFrom: since }));
    expect(listed.status, listed.text).toBe(200);
    const names = (listed.json as { name?: unknown; instanceId?: unknown }[]).map((instance) => [instance.name, instance.instanceId]);
    // The list works (it shows the instance started after the wait) and holds no CounterEntityCall.
    expect(names, listed.text).toContainEqual(["E1_HelloSequence", payload.id]);
    expect(names.filter(([name]) => name === "CounterEntityCall"), listed.text).toEqual([]);
  });

  it("exposes the entity's state on the built-in entities API, 404 before it exists", async () => {
    const payload = await anyCheckStatusPayload();
    const plums = uniqueId("plums");
    const stateUri = entityStateUri(payload, "Counter", plums);
    const before = await get(stateUri);
    expect(before.status, before.text).toBe(404);
    expectJson(await post(counterUrl(target, [plums, "add"], { value: "7", wait: "true" })), 200, { id: plums, operation: "add", value: 7 });
    const after = await get(stateUri);
    expect(after.status, after.text).toBe(200);
    expect(after.json).toBe(7);
  });

  it("answers 404 for a counter nobody has written", async () => {
    const pears = uniqueId("pears");
    expectJsonError(await get(counterUrl(target, [pears])), 404, "counter_not_found", `No counter with id '${pears}' exists.`);
  });

  it("answers 400 for bad amounts, operations, ids and queries, as README shows", async () => {
    const id = uniqueId("bad");
    expectJsonError(await post(counterUrl(target, ["add"], { value: "1.5" })), 400, "invalid_amount", "value: '1.5' is not an integer.");
    expectJsonError(
      await post(counterUrl(target, ["reset"], { value: "2" })),
      400,
      "unexpected_amount",
      "reset takes no value: send no body and no ?value=.",
    );
    expectJsonError(await post(counterUrl(target, [id, "reset"]), { data: "3" }), 400, "unexpected_amount");
    expectJsonError(await post(counterUrl(target, [id, "multiply"])), 400, "unknown_operation", "Unknown counter operation 'multiply'. Use add or reset.");
    expectJsonError(
      await post(counterUrl(target, [id, "add"], { value: "1" }), { data: "2" }),
      400,
      "ambiguous_amount",
      "Give the amount either as ?value= or in the body, not both.",
    );
    expectJsonError(await post(counterUrl(target, [id]), { data: "{not json" }), 400, "invalid_json", "The body is not valid JSON.");
    expectJsonError(await post(counterUrl(target, [id]), { data: '{"value":1,"extra":2}' }), 400, "invalid_body", "Unexpected field 'extra'; send {\"value\": n}.");
    expectJsonError(await post(counterUrl(target, [id, "add"], { wait: "maybe" })), 400, "invalid_query", "wait must be true or false.");
    expectJsonError(await post(counterUrl(target, [id, "add"], { value: "9007199254740993" })), 400, "invalid_amount");
    expectJsonError(await get(counterUrl(target, ["add"])), 400, "reserved_id", "'add' names an operation and cannot be used as a counter id.");
    expectJsonError(await get(counterUrl(target, ["a#b"])), 400, "invalid_id");
    // Bad input never signals anything: the counter was never created.
    expectJsonError(await get(counterUrl(target, [id])), 404, "counter_not_found");
  });
});
