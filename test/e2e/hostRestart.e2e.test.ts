import { expect, it, onTestFinished } from "vitest";
import { describeWithOwnHost, localHostKind, useE2eTarget } from "./support/e2eTarget.js";
import { counterUrl, decide, e3CounterUrl, e3Operation, startAndCheck, uniqueId } from "./support/app.js";
import { pollUntil } from "./support/poll.js";
import { terminateQuietly, waitForCompletion, waitForStatus } from "./support/durable.js";
import { expectJson, get, jsonObject, post } from "./support/http.js";

/**
 * Durability end to end: the state of instances lives in the task hub (Azurite), not in the host,
 * so a host that is stopped, or killed mid-flight, and started again carries on where it was. Short
 * leases let the restarted host take over a crashed one's partitions within seconds.
 */

const target = useE2eTarget({ name: "restart", clock: "real", leaseSeconds: 5 });

describeWithOwnHost("a host restart", { timeout: 120_000 }, () => {
  it("keeps a waiting approval waiting across a graceful stop, and the decision completes it", async () => {
    const payload = await startAndCheck(target, "Approval", { json: { amount: 40, requester: "ana", approver: "ben" } });
    onTestFinished(() => terminateQuietly(payload));
    await waitForStatus(payload.statusQueryGetUri, "the approval to wait", (seen) => (seen.customStatus as { stage?: unknown } | null)?.stage === "awaiting-decision");

    await target.host.restart();

    expectJson(await decide(target, payload.id, { approved: true, by: "ben" }), 202, { instanceId: payload.id, approved: true, by: "ben" });
    const status = await waitForCompletion(payload.statusQueryGetUri, { timeoutMs: 60_000 });
    expect(status.output).toMatchObject({ status: "approved", decidedBy: "ben", amount: 40 });
  });

  it("keeps an E3 counter's value and remembered ids across a crash (SIGKILL)", async () => {
    const id = uniqueId("crash");
    const payload = await startAndCheck(target, "E3_Counter", { instanceId: id });
    onTestFinished(() => terminateQuietly(payload));
    expectJson(await e3Operation(target, id, "incr", "before-crash"), 200, { instanceId: id, value: 1, operationId: "before-crash" });

    await target.host.kill();
    await target.host.restart();

    // The id is still remembered (not applied again), and new operations carry on from 1.
    expectJson(await e3Operation(target, id, "incr", "before-crash"), 200, { instanceId: id, value: 1, operationId: "before-crash" });
    const after = await e3Operation(target, id, "incr");
    expectJson(after, 200, { instanceId: id, value: 2, operationId: jsonObject(after).operationId });
    expectJson(await get(e3CounterUrl(target, id)), 200, { instanceId: id, value: 2, runtimeStatus: "Running" });
  });

  // Client-to-entity signals are at-least-once on the real extension (its maintainers say so:
  // Azure/azure-functions-durable-extension#969; orchestration-to-entity calls are deduplicated,
  // client signals are not): a signal whose batch was committed when the crash came, but not yet
  // deleted from its queue, is applied again when the queue gives it back. The devhost remembers
  // every message id and applies each signal once.
  const signalsExactlyOnce = localHostKind === "devhost";
  it(`applies every counter signal across a crash (SIGKILL) in the middle of them: none lost, ${signalsExactlyOnce ? "none twice" : "none more than twice"}`, async () => {
    const id = uniqueId("signals");
    const add = async (amount: number): Promise<void> => {
      expectJson(await post(counterUrl(target, [id, "add"], { value: String(amount) })), 202, { id, operation: "add", value: amount });
    };
    // 30 signals accepted (queued), then a crash while the host is still applying them.
    const beforeCrash = Array.from({ length: 30 }, (_, index) => index + 1);
    await Promise.all(beforeCrash.map(add));
    await target.host.kill();
    const crashedAt = Date.now();
    await target.host.restart();
    const afterCrash = Array.from({ length: 10 }, (_, index) => 100 + index);
    await Promise.all(afterCrash.map(add));
    const sum = (amounts: number[]): number => amounts.reduce((total, amount) => total + amount, 0);
    const expected = sum(beforeCrash) + sum(afterCrash);
    // Each signal in flight at the crash may come once more; the ones sent after it only once.
    const atMost = signalsExactlyOnce ? expected : expected + sum(beforeCrash);
    // What the crashed host had taken comes back once its lease (devhost) or the queue's visibility
    // timeout (the real extension: 1 minute here) has run out.
    const messagesBackAt = crashedAt + (signalsExactlyOnce ? 6_000 : 65_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, messagesBackAt - Date.now())));
    await pollUntil(
      `counter ${id} to reach ${expected}`,
      async () => jsonObject(await get(counterUrl(target, [id]))).value,
      (value) => typeof value === "number" && value >= expected,
      { timeoutMs: 60_000 },
    );
    const value = jsonObject(await get(counterUrl(target, [id]))).value;
    expect(value).toBeGreaterThanOrEqual(expected);
    expect(value).toBeLessThanOrEqual(atMost);
  }, 180_000);
});
