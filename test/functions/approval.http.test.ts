import { beforeAll, describe, expect, it } from "vitest";
import type { HttpRequestInit } from "@azure/functions";
import { invokeHttp, loadApp } from "../support/functionsHost.js";
import { useFakeDurableExtension } from "../support/fakeDurableExtension.js";

const ORIGIN = "https://patterns.example.net";

const fake = useFakeDurableExtension();

beforeAll(async () => {
  await loadApp();
});

function withBody(body: string | undefined): Pick<HttpRequestInit, "body"> {
  return body === undefined ? {} : { body: { string: body } };
}

const startApproval = (body?: string) =>
  invokeHttp("ApprovalStart", { method: "POST", url: `${ORIGIN}/api/approvals`, params: {}, ...withBody(body) }, fake.clientData());

const decide = (instanceId: string, body?: string) =>
  invokeHttp(
    "ApprovalDecision",
    {
      method: "POST",
      url: `${ORIGIN}/api/approvals/${encodeURIComponent(instanceId)}/decision`,
      params: { instanceId },
      ...withBody(body),
    },
    fake.clientData(),
  );

const DEADLINE = "2030-01-04T00:00:00.000Z";

function approvalAt(
  instanceId: string,
  stage: string | undefined,
  runtimeStatus: "Pending" | "Running" | "Completed" | "Failed" | "Terminated" = "Running",
  input: unknown = { amount: 250, requester: "ada", timeoutHours: 72 },
) {
  return fake.addInstance({
    name: "Approval",
    instanceId,
    runtimeStatus,
    input,
    customStatus: stage === undefined ? null : { stage, deadline: DEADLINE },
  });
}

describe("POST approvals (ApprovalStart)", () => {
  it("starts an Approval with the timeout defaulted to 72 hours and answers the check-status response", async () => {
    const response = await startApproval(JSON.stringify({ amount: 250, requester: "ada" }));

    const payload = fake.checkStatusPayload(ORIGIN, "generated-1");
    expect(response.status).toBe(202);
    expect(response.body).toEqual(payload);
    expect(response.headers.location).toBe(payload.statusQueryGetUri);
    expect(response.headers["retry-after"]).toBe("10");
    expect(fake.starts).toEqual([
      { name: "Approval", instanceId: "generated-1", input: { amount: 250, requester: "ada", timeoutHours: 72 } },
    ]);
  });

  it("keeps an approver and a timeout that are given, and drops unknown fields", async () => {
    const response = await startApproval(
      JSON.stringify({ amount: 0, requester: "ada", approver: "grace", timeoutHours: 0.5, note: "ignored" }),
    );
    expect(response.status).toBe(202);
    expect(fake.starts).toEqual([
      {
        name: "Approval",
        instanceId: "generated-1",
        input: { amount: 0, requester: "ada", approver: "grace", timeoutHours: 0.5 },
      },
    ]);
  });

  it.each([
    ["no body", undefined, "invalid_body", "The approval request must be a JSON object, not nothing."],
    ["null", "null", "invalid_body", "The approval request must be a JSON object, not null."],
    ["an array", "[]", "invalid_body", "The approval request must be a JSON object, not an array."],
    ["invalid JSON", "{amount: 1}", "invalid_json", "The body is not valid JSON."],
    ["a string amount", JSON.stringify({ amount: "250", requester: "ada" }), "invalid_amount", "amount must be a non-negative number."],
    ["a negative amount", JSON.stringify({ amount: -1, requester: "ada" }), "invalid_amount", "amount must be a non-negative number."],
    ["no requester", JSON.stringify({ amount: 250 }), "invalid_requester", "requester must be a non-empty string of at most 200 characters, without control characters."],
    [
      "a blank requester",
      JSON.stringify({ amount: 250, requester: "  " }),
      "invalid_requester",
      "requester must be a non-empty string of at most 200 characters, without control characters.",
    ],
    [
      "a requester over 200 characters",
      JSON.stringify({ amount: 250, requester: "r".repeat(201) }),
      "invalid_requester",
      "requester must be a non-empty string of at most 200 characters, without control characters.",
    ],
    [
      "a requester with a control character",
      JSON.stringify({ amount: 250, requester: "ada\u0000" }),
      "invalid_requester",
      "requester must be a non-empty string of at most 200 characters, without control characters.",
    ],
    [
      "a numeric approver",
      JSON.stringify({ amount: 250, requester: "ada", approver: 5 }),
      "invalid_approver",
      "approver must be a non-empty string of at most 200 characters, without control characters.",
    ],
    [
      "the requester as its own approver",
      JSON.stringify({ amount: 250, requester: "ada", approver: " ADA" }),
      "approver_is_requester",
      "approver must be someone other than the requester: a requester may never decide their own request.",
    ],
    [
      "the requester as its own approver, with a zero-width space",
      JSON.stringify({ amount: 250, requester: "ada", approver: "ada\u200b" }),
      "approver_is_requester",
      "approver must be someone other than the requester: a requester may never decide their own request.",
    ],
    [
      "a zero timeout",
      JSON.stringify({ amount: 250, requester: "ada", timeoutHours: 0 }),
      "invalid_timeout",
      "timeoutHours must be a number above 0 and at most 720.",
    ],
    [
      "a timeout over 30 days",
      JSON.stringify({ amount: 250, requester: "ada", timeoutHours: 721 }),
      "invalid_timeout",
      "timeoutHours must be a number above 0 and at most 720.",
    ],
  ])("refuses %s with 400 and starts nothing", async (_case, body, error, message) => {
    const response = await startApproval(body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error, message });
    expect(fake.starts).toEqual([]);
  });

  it("refuses a body over 64 KiB with 413 and starts nothing", async () => {
    const response = await startApproval(JSON.stringify({ amount: 1, requester: "ada", note: "n".repeat(64 * 1024) }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ error: "body_too_large", message: "The body is larger than 64 KiB." });
    expect(fake.starts).toEqual([]);
  });
});

describe("POST approvals/{instanceId}/decision (ApprovalDecision)", () => {
  it.each([
    ["awaiting-decision", true],
    ["awaiting-decision", false],
    ["requested", true],
  ] as const)("delivers a decision while the stage is %s (approved %s) with 202", async (stage, approved) => {
    approvalAt("ap1", stage);
    const response = await decide("ap1", JSON.stringify({ approved, by: "grace" }));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ instanceId: "ap1", approved, by: "grace" });
    expect(fake.raisedEvents).toEqual([{ instanceId: "ap1", name: "ApprovalEvent", data: { approved, by: "grace" } }]);
  });

  it("delivers a decision to an instance that has not reported a stage yet", async () => {
    approvalAt("ap1", undefined, "Pending");
    const response = await decide("ap1", JSON.stringify({ approved: true, by: "grace" }));
    expect(response.status).toBe(202);
    expect(fake.raisedEvents).toEqual([{ instanceId: "ap1", name: "ApprovalEvent", data: { approved: true, by: "grace" } }]);
  });

  it("raises only approved and by, whatever else the body carries", async () => {
    approvalAt("ap1", "awaiting-decision");
    const response = await decide("ap1", JSON.stringify({ approved: true, by: "grace", stage: "decided", extra: [1, 2] }));
    expect(response.status).toBe(202);
    expect(fake.raisedEvents).toEqual([{ instanceId: "ap1", name: "ApprovalEvent", data: { approved: true, by: "grace" } }]);
  });

  describe("who may decide", () => {
    const namingGrace = { amount: 250, requester: "ada", approver: "grace", timeoutHours: 72 };

    it.each(["grace", "Grace", " GRACE "])("delivers the named approver's decision, given as %j", async (by) => {
      approvalAt("ap1", "awaiting-decision", "Running", namingGrace);
      const response = await decide("ap1", JSON.stringify({ approved: false, by }));

      expect(response.status).toBe(202);
      expect(fake.raisedEvents).toEqual([{ instanceId: "ap1", name: "ApprovalEvent", data: { approved: false, by } }]);
    });

    it("answers 403 not_the_approver to anyone else when the request names an approver, and raises nothing", async () => {
      approvalAt("ap1", "awaiting-decision", "Running", namingGrace);
      const response = await decide("ap1", JSON.stringify({ approved: true, by: "linus" }));

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: "not_the_approver", message: "Only the approver this request names can decide it." });
      // Who the approver is stays with the instance: a caller who may not decide does not learn it.
      expect(JSON.stringify(response.body)).not.toContain("grace");
      expect(fake.raisedEvents).toEqual([]);
    });

    it.each([
      ["a request without an approver", { amount: 250, requester: "ada", timeoutHours: 72 }, "ada"],
      ["a request without an approver, in other case", { amount: 250, requester: "ada", timeoutHours: 72 }, "ADA"],
      ["a request naming another approver", { amount: 250, requester: "ada", approver: "grace", timeoutHours: 72 }, "ada"],
      ["a request naming another approver, with a zero-width space", { amount: 250, requester: "ada", approver: "grace", timeoutHours: 72 }, "ada\u200b"],
    ])("answers 403 own_request when the requester decides %s, and raises nothing", async (_case, input, by) => {
      approvalAt("ap1", "awaiting-decision", "Running", input);
      const response = await decide("ap1", JSON.stringify({ approved: true, by }));

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: "own_request", message: "The requester of this request cannot decide it." });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers 403 before 410: who may decide does not depend on whether it is still open", async () => {
      approvalAt("ap1", "decided", "Completed", namingGrace);
      const response = await decide("ap1", JSON.stringify({ approved: true, by: "linus" }));
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ error: "not_the_approver" });
    });

    it("answers a JSON 500 and raises nothing for a waiting approval whose input is not a valid request", async () => {
      approvalAt("ap1", "awaiting-decision", "Running", { amount: -1, requester: "ada" });
      const response = await decide("ap1", JSON.stringify({ approved: true, by: "grace" }));

      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        error: "internal_error",
        message: "The request could not be completed. The error has been logged.",
      });
      expect(fake.raisedEvents).toEqual([]);
    });

    it("answers 410 for a finished approval whose input was not a valid request", async () => {
      approvalAt("ap1", undefined, "Failed", "not a request");
      const response = await decide("ap1", JSON.stringify({ approved: true, by: "grace" }));
      expect(response.status).toBe(410);
      expect(response.body).toEqual({ error: "already_decided", message: "The approval 'ap1' was already failed." });
    });
  });

  it("answers 404 instance_not_found for an unknown id and raises nothing", async () => {
    const response = await decide("nope", JSON.stringify({ approved: true, by: "grace" }));
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "instance_not_found", message: "No approval with ID 'nope' exists." });
    expect(fake.raisedEvents).toEqual([]);
  });

  it("answers 404 for an instance that is not an Approval and raises nothing", async () => {
    fake.addInstance({ name: "E3_Counter", instanceId: "c1", runtimeStatus: "Running", input: 0 });
    const response = await decide("c1", JSON.stringify({ approved: true, by: "grace" }));
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "instance_not_found", message: "No approval with ID 'c1' exists." });
    expect(fake.raisedEvents).toEqual([]);
  });

  it.each([
    ["the stage is decided", "decided", "Running", "The approval 'ap1' was already decided."],
    ["the stage is escalated", "escalated", "Running", "The approval 'ap1' was already escalated."],
    ["the instance Completed after deciding", "decided", "Completed", "The approval 'ap1' was already decided."],
    ["the instance Completed after escalating", "escalated", "Completed", "The approval 'ap1' was already escalated."],
    ["the instance Completed with no stage", undefined, "Completed", "The approval 'ap1' was already completed."],
    ["the instance was Terminated while waiting", "awaiting-decision", "Terminated", "The approval 'ap1' was already terminated."],
    ["the instance Failed while waiting", "awaiting-decision", "Failed", "The approval 'ap1' was already failed."],
  ] as const)("answers 410 already_decided when %s, and raises nothing", async (_case, stage, runtimeStatus, message) => {
    approvalAt("ap1", stage, runtimeStatus);
    const response = await decide("ap1", JSON.stringify({ approved: true, by: "grace" }));
    expect(response.status).toBe(410);
    expect(response.body).toEqual({ error: "already_decided", message });
    expect(fake.raisedEvents).toEqual([]);
  });

  it.each([
    ["approved as a string", JSON.stringify({ approved: "yes", by: "grace" }), "invalid_decision", "approved must be true or false."],
    ["approved missing", JSON.stringify({ by: "grace" }), "invalid_decision", "approved must be true or false."],
    ["by missing", JSON.stringify({ approved: true }), "invalid_by", "by must be a non-empty string of at most 200 characters, without control characters."],
    ["by blank", JSON.stringify({ approved: true, by: " " }), "invalid_by", "by must be a non-empty string of at most 200 characters, without control characters."],
    ["invalid JSON", "{approved: true}", "invalid_json", "The body is not valid JSON."],
    ["a bare boolean", "true", "invalid_body", "The decision must be a JSON object, not a boolean."],
  ])("refuses a decision with %s with 400 and raises nothing", async (_case, body, error, message) => {
    approvalAt("ap1", "awaiting-decision");
    const response = await decide("ap1", body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error, message });
    expect(fake.raisedEvents).toEqual([]);
  });

  it.each(["a\\b", "@ap1", "ап1"])("refuses the malformed instance id %j with 400 invalid_id", async (instanceId) => {
    const response = await decide(instanceId, JSON.stringify({ approved: true, by: "grace" }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "invalid_id",
      message: "The instance id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.",
    });
    expect(fake.raisedEvents).toEqual([]);
  });
});
