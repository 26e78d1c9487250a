import { describe, expect, it } from "vitest";
import {
  approvalDeadline,
  approvalOutcome,
  DEFAULT_APPROVAL_TIMEOUT_HOURS,
  isAwaitingDecision,
  parseApprovalDecision,
  parseApprovalRequest,
  refuseDecision,
  validateApprovalDecision,
  validateApprovalRequest,
  type ApprovalRequest,
} from "../../src/logic/approval.js";
import { validationErrorOf } from "../support/thrownErrors.js";

const HOUR_MS = 60 * 60 * 1000;

describe("validateApprovalRequest", () => {
  it(`defaults timeoutHours to ${DEFAULT_APPROVAL_TIMEOUT_HOURS}`, () => {
    expect(DEFAULT_APPROVAL_TIMEOUT_HOURS).toBe(72);
    const request = validateApprovalRequest({ amount: 250, requester: "ana" });
    expect(request).toEqual({ amount: 250, requester: "ana", timeoutHours: 72 });
    expect(request).not.toHaveProperty("approver");
  });

  it("keeps the approver and timeoutHours and drops unknown fields", () => {
    expect(
      validateApprovalRequest({ amount: 0, requester: "ana", approver: "ben", timeoutHours: 0.5, note: "x" }),
    ).toEqual({ amount: 0, requester: "ana", approver: "ben", timeoutHours: 0.5 });
  });

  it("accepts a fractional amount and the largest safe amount", () => {
    expect(validateApprovalRequest({ amount: 12.34, requester: "ana" }).amount).toBe(12.34);
    expect(validateApprovalRequest({ amount: Number.MAX_SAFE_INTEGER, requester: "ana" }).amount).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ["-1", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["2^53 + 2", 2 ** 53 + 2],
    ["a string", "100"],
    ["null", null],
    ["missing", undefined],
  ])("refuses the amount %s", (_what, amount) => {
    const error = validationErrorOf(() => validateApprovalRequest({ amount, requester: "ana" }));
    expect(error.code).toBe("invalid_amount");
    expect(error.message).toBe("amount must be a non-negative number.");
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["missing", undefined],
    ["a number", 5],
    ["201 characters", "r".repeat(201)],
  ])("refuses a requester that is %s", (_what, requester) => {
    const error = validationErrorOf(() => validateApprovalRequest({ amount: 1, requester }));
    expect(error.code).toBe("invalid_requester");
    expect(error.message).toBe("requester must be a non-empty string of at most 200 characters, without control characters.");
  });

  it("accepts a requester of exactly 200 characters", () => {
    const requester = "r".repeat(200);
    expect(validateApprovalRequest({ amount: 1, requester }).requester).toBe(requester);
  });

  it.each(["", null, 7])("refuses the approver %j", (approver) => {
    const error = validationErrorOf(() => validateApprovalRequest({ amount: 1, requester: "ana", approver }));
    expect(error.code).toBe("invalid_approver");
    expect(error.message).toMatch(/^approver must be a non-empty string/);
  });

  it.each([
    ["the same name", "ana", "ana"],
    ["another case", "ana", "ANA"],
    ["surrounding spaces", "ana", " ana "],
    ["full-width letters", "ana", "ａｎａ"],
    ["a zero-width space", "ana", "ana\u200b"],
    ["a word joiner in the requester", "a\u2060na", "ana"],
  ])("refuses an approver who is the requester (%s): nobody could ever decide it", (_what, requester, approver) => {
    const error = validationErrorOf(() => validateApprovalRequest({ amount: 1, requester, approver }));
    expect(error.code).toBe("approver_is_requester");
    expect(error.message).toBe("approver must be someone other than the requester: a requester may never decide their own request.");
    expect(error.message).not.toContain("ana");
  });

  it.each(["\u200b", " \u200b ", "\u2060\ufeff", "\u00ad"])("refuses a name of nothing but format characters and spaces, %j", (name) => {
    expect(validationErrorOf(() => validateApprovalRequest({ amount: 1, requester: name })).code).toBe("invalid_requester");
    expect(validationErrorOf(() => validateApprovalRequest({ amount: 1, requester: "ana", approver: name })).code).toBe("invalid_approver");
    expect(validationErrorOf(() => validateApprovalDecision({ approved: true, by: name })).code).toBe("invalid_by");
  });

  it.each([0, -1, 721, "5", Number.NaN, Number.POSITIVE_INFINITY, null])("refuses timeoutHours %j", (timeoutHours) => {
    const error = validationErrorOf(() => validateApprovalRequest({ amount: 1, requester: "ana", timeoutHours }));
    expect(error.code).toBe("invalid_timeout");
    expect(error.message).toBe("timeoutHours must be a number above 0 and at most 720.");
  });

  it("accepts timeoutHours of exactly 720 (30 days)", () => {
    expect(validateApprovalRequest({ amount: 1, requester: "ana", timeoutHours: 720 }).timeoutHours).toBe(720);
  });

  it.each([
    [null, "null"],
    ["text", "a string"],
    [[], "an array"],
    [5, "a number"],
  ])("refuses the body %j", (body, type) => {
    const error = validationErrorOf(() => validateApprovalRequest(body));
    expect(error.code).toBe("invalid_body");
    expect(error.message).toBe(`The approval request must be a JSON object, not ${type}.`);
  });
});

describe("validateApprovalDecision", () => {
  it.each([true, false])("accepts approved: %s", (approved) => {
    expect(validateApprovalDecision({ approved, by: "ben", extra: 1 })).toEqual({ approved, by: "ben" });
  });

  it.each(["true", 1, null, undefined])("refuses approved: %j", (approved) => {
    const error = validationErrorOf(() => validateApprovalDecision({ approved, by: "ben" }));
    expect(error.code).toBe("invalid_decision");
    expect(error.message).toBe("approved must be true or false.");
  });

  it.each([undefined, "", " ", 3, "b".repeat(201)])("refuses by: %j", (by) => {
    const error = validationErrorOf(() => validateApprovalDecision({ approved: true, by }));
    expect(error.code).toBe("invalid_by");
    expect(error.message).toBe("by must be a non-empty string of at most 200 characters, without control characters.");
  });

  it("refuses a body that is not an object", () => {
    const error = validationErrorOf(() => validateApprovalDecision("approve"));
    expect(error.code).toBe("invalid_body");
    expect(error.message).toBe("The decision must be a JSON object, not a string.");
  });
});

describe("parseApprovalDecision", () => {
  it("returns a valid decision", () => {
    expect(parseApprovalDecision({ approved: false, by: "ben" })).toEqual({ approved: false, by: "ben" });
  });

  it.each([undefined, null, "yes", true, [], {}, { approved: "yes", by: "ben" }, { approved: true }, { approved: true, by: "" }])(
    "returns undefined for %j",
    (input) => {
      expect(parseApprovalDecision(input)).toBeUndefined();
    },
  );
});

describe("parseApprovalRequest", () => {
  it("returns a valid request, validated as at the start", () => {
    expect(parseApprovalRequest({ amount: 5, requester: "ana", approver: "ben", timeoutHours: 1 })).toEqual({
      amount: 5,
      requester: "ana",
      approver: "ben",
      timeoutHours: 1,
    });
    expect(parseApprovalRequest({ amount: 5, requester: "ana" })).toEqual({ amount: 5, requester: "ana", timeoutHours: 72 });
  });

  it.each([undefined, null, "ana", {}, { amount: -1, requester: "ana" }, { amount: 1, requester: "" }, { amount: 1, requester: "ana", approver: 3 }, { amount: 1, requester: "ana", approver: "Ana" }])(
    "returns undefined for %j",
    (input) => {
      expect(parseApprovalRequest(input)).toBeUndefined();
    },
  );
});

describe("refuseDecision", () => {
  const named = { requester: "ana", approver: "ben" };
  const unnamed = { requester: "ana" };

  it.each(["ben", "Ben", "BEN", " ben ", "ｂｅｎ"])("lets the named approver decide as %j", (by) => {
    expect(refuseDecision(named, { by })).toBeUndefined();
  });

  it.each(["carl", "benjamin", "be n", "ana-ben"])("refuses %j, who is not the named approver, without naming anyone", (by) => {
    const refusal = refuseDecision(named, { by });
    expect(refusal).toEqual({ code: "not_the_approver", message: "Only the approver this request names can decide it." });
    expect(refusal?.message).not.toContain("ben");
    expect(refusal?.message).not.toContain(by);
  });

  it.each(["carl", "Ben", "someone else"])("lets anyone but the requester decide a request without an approver, here %j", (by) => {
    expect(refuseDecision(unnamed, { by })).toBeUndefined();
  });

  it.each(["ana", "Ana", "ANA", "  ana", "ａｎａ"])("never lets the requester decide their own request, here as %j", (by) => {
    const ownRequest = { code: "own_request", message: "The requester of this request cannot decide it." };
    expect(refuseDecision(unnamed, { by })).toEqual(ownRequest);
    expect(refuseDecision(named, { by })).toEqual(ownRequest);
  });

  it.each([
    ["a zero-width space after", "ana\u200b"],
    ["a zero-width space inside", "a\u200bna"],
    ["a zero-width joiner", "an\u200da"],
    ["a word joiner", "\u2060ana"],
    ["a soft hyphen", "a\u00adna"],
    ["a right-to-left override", "\u202eana"],
    ["a byte order mark", "\ufeffAna"],
    ["a left-to-right mark with full-width letters", "ａ\u200eｎａ"],
  ])("strips format characters before comparing: the requester with %s is still the requester", (_what, by) => {
    expect(refuseDecision(unnamed, { by })).toMatchObject({ code: "own_request" });
    expect(refuseDecision(named, { by })).toMatchObject({ code: "own_request" });
  });

  it("strips format characters from the named approver too", () => {
    expect(refuseDecision({ requester: "ana", approver: "b\u200ben" }, { by: "ben" })).toBeUndefined();
    expect(refuseDecision(named, { by: "ben\u200b" })).toBeUndefined();
  });

  it("refuses the requester even when the request names them as its approver", () => {
    expect(refuseDecision({ requester: "ana", approver: "Ana" }, { by: "ana" })).toMatchObject({ code: "own_request" });
  });
});

describe("approvalDeadline", () => {
  it("adds the timeout in hours", () => {
    const requestedAt = new Date("2024-03-01T10:00:00.000Z");
    expect(approvalDeadline(requestedAt, 72).toISOString()).toBe("2024-03-04T10:00:00.000Z");
    expect(approvalDeadline(requestedAt, 0.5).toISOString()).toBe("2024-03-01T10:30:00.000Z");
  });

  it("returns a new Date and leaves the request time alone", () => {
    const requestedAt = new Date("2024-03-01T10:00:00.000Z");
    const deadline = approvalDeadline(requestedAt, 1);
    expect(deadline).not.toBe(requestedAt);
    expect(requestedAt.toISOString()).toBe("2024-03-01T10:00:00.000Z");
    expect(deadline.getTime() - requestedAt.getTime()).toBe(HOUR_MS);
  });
});

describe("approvalOutcome", () => {
  const request: ApprovalRequest = { amount: 250, requester: "ana", approver: "ben", timeoutHours: 72 };
  const requestedAt = new Date("2024-03-01T10:00:00.000Z");
  const now = new Date("2024-03-01T12:30:00.000Z");

  it("reports an approval with who decided and how long it took", () => {
    expect(approvalOutcome(request, { approved: true, by: "ben" }, requestedAt, now)).toEqual({
      status: "approved",
      amount: 250,
      requester: "ana",
      decidedBy: "ben",
      decidedAt: "2024-03-01T12:30:00.000Z",
      waitedMs: 2.5 * HOUR_MS,
    });
  });

  it("reports a rejection", () => {
    expect(approvalOutcome(request, { approved: false, by: "cy" }, requestedAt, now)).toEqual({
      status: "rejected",
      amount: 250,
      requester: "ana",
      decidedBy: "cy",
      decidedAt: "2024-03-01T12:30:00.000Z",
      waitedMs: 2.5 * HOUR_MS,
    });
  });

  it("reports a timeout as an escalation without decidedBy", () => {
    const deadline = approvalDeadline(requestedAt, request.timeoutHours);
    const outcome = approvalOutcome(request, "timed-out", requestedAt, deadline);
    expect(outcome).toEqual({
      status: "escalated",
      amount: 250,
      requester: "ana",
      decidedAt: "2024-03-04T10:00:00.000Z",
      waitedMs: 72 * HOUR_MS,
    });
    expect(outcome).not.toHaveProperty("decidedBy");
  });
});

describe("isAwaitingDecision", () => {
  it.each([
    ["requested", true],
    ["awaiting-decision", true],
    ["decided", false],
    ["escalated", false],
    ["", false],
    [undefined, false],
    [null, false],
    [{ stage: "requested" }, false],
  ])("%j → %s", (stage, awaiting) => {
    expect(isAwaitingDecision(stage)).toBe(awaiting);
  });
});
