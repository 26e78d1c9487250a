import { describe, expect, it, onTestFinished } from "vitest";
import { itOnVirtualClock, useE2eTarget } from "./support/e2eTarget.js";
import { decide, uniqueId } from "./support/app.js";
import {
  expectCheckStatusResponse,
  raiseEvent,
  terminate,
  terminateQuietly,
  waitForCompletion,
  waitForEnd,
  waitForStatus,
  type CheckStatusPayload,
  type InstanceStatus,
} from "./support/durable.js";
import { anyNumber, expectJson, expectJsonError, expectStatus, matching, post } from "./support/http.js";

/**
 * Human interaction: decisions through the app's route, its 403s and 410s, and the 72-hour
 * escalation. The devhost runs a virtual clock that moves only when a test advances it, so the
 * deciding cases act long before any deadline and the escalation takes no real time.
 */

const target = useE2eTarget({ name: "approval", clock: "virtual", autoSkip: false });

const HOUR_MS = 60 * 60 * 1000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface ApprovalOutput {
  status: string;
  amount: number;
  requester: string;
  decidedBy?: string;
  decidedAt: string;
  waitedMs: number;
}

/** POST /api/approvals, asserting the check-status answer; the instance is terminated after the test. */
async function requestApproval(request: Record<string, unknown>): Promise<CheckStatusPayload> {
  const payload = expectCheckStatusResponse(await post(target.url("/api/approvals"), { data: JSON.stringify(request) }), target);
  onTestFinished(() => terminateQuietly(payload));
  return payload;
}

function waitForDecisionWait(payload: CheckStatusPayload): Promise<InstanceStatus> {
  return waitForStatus(
    payload.statusQueryGetUri,
    "the approval to await its decision",
    (seen) => seen.runtimeStatus === "Running" && (seen.customStatus as { stage?: unknown } | null)?.stage === "awaiting-decision",
  );
}

function outputOf(status: InstanceStatus): ApprovalOutput {
  return status.output as ApprovalOutput;
}

describe("Approval, human interaction with a 72-hour timeout", { timeout: 60_000 }, () => {
  it("is approved by its approver after the wrong people were refused with 403, then answers 410", async () => {
    const payload = await requestApproval({ amount: 1200, requester: "ana", approver: "ben" });
    const id = payload.id;

    expectJsonError(await decide(target, id, { approved: true, by: "carl" }), 403, "not_the_approver", "Only the approver this request names can decide it.");
    expectJsonError(await decide(target, id, { approved: true, by: "ana" }), 403, "own_request", "The requester of this request cannot decide it.");
    // Names compare case-insensitively, ignoring surrounding spaces and invisible format characters.
    expectJsonError(await decide(target, id, { approved: true, by: " ANA\u200b " }), 403, "own_request");
    expectJson(await decide(target, id, { approved: true, by: "ben" }), 202, { instanceId: id, approved: true, by: "ben" });

    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status).toMatchObject({ name: "Approval", customStatus: { stage: "decided", deadline: matching(ISO_INSTANT) } });
    expect(outputOf(status)).toEqual({
      status: "approved",
      decidedBy: "ben",
      amount: 1200,
      requester: "ana",
      decidedAt: matching(ISO_INSTANT),
      waitedMs: anyNumber(),
    });
    expect(outputOf(status).waitedMs).toBeGreaterThanOrEqual(0);
    expect(outputOf(status).waitedMs).toBeLessThan(HOUR_MS);

    expectJsonError(await decide(target, id, { approved: true, by: "ben" }), 410, "already_decided", `The approval '${id}' was already decided.`);
  });

  it("is rejected by its approver, whose name is matched case-insensitively and reported as given", async () => {
    const payload = await requestApproval({ amount: 75, requester: "ana", approver: "ben" });
    await waitForDecisionWait(payload);
    expectJson(await decide(target, payload.id, { approved: false, by: "Ben" }), 202, { instanceId: payload.id, approved: false, by: "Ben" });
    const output = outputOf(await waitForCompletion(payload.statusQueryGetUri));
    expect(output).toMatchObject({ status: "rejected", decidedBy: "Ben", amount: 75, requester: "ana" });
  });

  it("lets anyone but the requester decide a request that names no approver", async () => {
    const payload = await requestApproval({ amount: 5, requester: "ana" });
    expectJsonError(await decide(target, payload.id, { approved: true, by: "Ana" }), 403, "own_request");
    expectJson(await decide(target, payload.id, { approved: true, by: "zoe" }), 202, { instanceId: payload.id, approved: true, by: "zoe" });
    expect(outputOf(await waitForCompletion(payload.statusQueryGetUri))).toMatchObject({ status: "approved", decidedBy: "zoe" });
  });

  it("ignores events raised on the webhook that are malformed or break the rules, and keeps waiting", async () => {
    const payload = await requestApproval({ amount: 300, requester: "ana", approver: "ben" });
    await waitForDecisionWait(payload);
    expectStatus(await raiseEvent(payload, "ApprovalEvent", { approved: true, by: "ana" }), 202);
    expectStatus(await raiseEvent(payload, "ApprovalEvent", { approved: true, by: "carl" }), 202);
    expectStatus(await raiseEvent(payload, "ApprovalEvent", "yes"), 202);
    // Events are handled in order: had any of those been taken, this one would not decide the outcome.
    expectStatus(await raiseEvent(payload, "ApprovalEvent", { approved: false, by: "ben" }), 202);
    const output = outputOf(await waitForCompletion(payload.statusQueryGetUri));
    expect(output).toMatchObject({ status: "rejected", decidedBy: "ben", amount: 300 });
  });

  it("answers 202 to two decisions sent at the same moment, and the outcome is one of them", async () => {
    const payload = await requestApproval({ amount: 60, requester: "ana", approver: "ben" });
    await waitForDecisionWait(payload);
    const [approve, reject] = await Promise.all([
      decide(target, payload.id, { approved: true, by: "ben" }),
      decide(target, payload.id, { approved: false, by: "ben" }),
    ]);
    expectJson(approve, 202, { instanceId: payload.id, approved: true, by: "ben" });
    expectJson(reject, 202, { instanceId: payload.id, approved: false, by: "ben" });
    const output = outputOf(await waitForCompletion(payload.statusQueryGetUri));
    expect(["approved", "rejected"]).toContain(output.status);
    expect(output.decidedBy).toBe("ben");
  });

  itOnVirtualClock("escalates when the 72-hour timer fires first, after the clock is advanced to the deadline", async () => {
    const payload = await requestApproval({ amount: 1200, requester: "ana", approver: "ben" });
    const waiting = await waitForDecisionWait(payload);
    const deadline = (waiting.customStatus as { deadline: string }).deadline;

    await target.advanceClockTo(deadline);
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status.customStatus).toEqual({ stage: "escalated", deadline });
    const output = outputOf(status);
    expect(output).toEqual({
      status: "escalated",
      amount: 1200,
      requester: "ana",
      decidedAt: matching(ISO_INSTANT),
      waitedMs: anyNumber(),
    });
    // The request was made 72 hours (the default timeoutHours) before the deadline, and escalated at it.
    const requestedAt = Date.parse(output.decidedAt) - output.waitedMs;
    expect(Date.parse(deadline) - requestedAt).toBe(72 * HOUR_MS);
    expect(Date.parse(output.decidedAt)).toBeGreaterThanOrEqual(Date.parse(deadline));
    expect(output.waitedMs).toBeGreaterThanOrEqual(72 * HOUR_MS);

    expectJsonError(await decide(target, payload.id, { approved: true, by: "ben" }), 410, "already_decided", `The approval '${payload.id}' was already escalated.`);
  });

  it("answers 410 for an approval that was terminated while waiting", async () => {
    const payload = await requestApproval({ amount: 9, requester: "ana", approver: "ben" });
    await waitForDecisionWait(payload);
    expectStatus(await terminate(payload, "withdrawn"), 202);
    expect((await waitForEnd(payload.statusQueryGetUri)).runtimeStatus).toBe("Terminated");
    expectJsonError(await decide(target, payload.id, { approved: true, by: "ben" }), 410, "already_decided", `The approval '${payload.id}' was already terminated.`);
  });

  it("answers 400 for a malformed request or decision and 404 for an unknown approval", async () => {
    expectJsonError(
      await post(target.url("/api/approvals"), { data: '{"amount":5,"requester":"ana","approver":"Ana"}' }),
      400,
      "approver_is_requester",
      "approver must be someone other than the requester: a requester may never decide their own request.",
    );
    expectJsonError(await post(target.url("/api/approvals"), { json: { amount: -1, requester: "ana" } }), 400, "invalid_amount", "amount must be a non-negative number.");
    expectJsonError(await post(target.url("/api/approvals"), { json: { amount: 1, requester: "ana", timeoutHours: 0 } }), 400, "invalid_timeout");
    expectJsonError(await post(target.url("/api/approvals"), { json: [1] }), 400, "invalid_body", "The approval request must be a JSON object, not an array.");
    expectJsonError(await post(target.url("/api/approvals")), 400, "invalid_body", "The approval request must be a JSON object, not nothing.");

    const payload = await requestApproval({ amount: 1, requester: "ana", approver: "ben" });
    expectJsonError(await decide(target, payload.id, { approved: "yes", by: "ben" }), 400, "invalid_decision", "approved must be true or false.");
    expectJsonError(await decide(target, payload.id, { approved: true }), 400, "invalid_by");
    expectJsonError(await decide(target, payload.id, "approve"), 400, "invalid_body", "The decision must be a JSON object, not a string.");

    const unknown = uniqueId("nope");
    expectJsonError(await decide(target, unknown, { approved: true, by: "ben" }), 404, "instance_not_found", `No approval with ID '${unknown}' exists.`);
    expectJsonError(await decide(target, "a#b", { approved: true, by: "ben" }), 400, "invalid_id");
  });
});
