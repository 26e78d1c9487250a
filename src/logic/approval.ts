import { ValidationError } from "./ValidationError.js";
import { requireObject } from "./jsonShapes.js";
import { hasControlCharacter } from "./resourceIds.js";

/** Human interaction: a request waits for a decision or escalates when its timer fires first. */

export const DEFAULT_APPROVAL_TIMEOUT_HOURS = 72;
const MAX_APPROVAL_TIMEOUT_HOURS = 24 * 30;
const MAX_NAME_LENGTH = 200;

export interface ApprovalRequest {
  amount: number;
  requester: string;
  approver?: string;
  timeoutHours: number;
}

export interface ApprovalDecision {
  approved: boolean;
  by: string;
}

export type ApprovalStatus = "approved" | "rejected" | "escalated";

export interface ApprovalOutcome {
  status: ApprovalStatus;
  amount: number;
  requester: string;
  decidedBy?: string;
  decidedAt: string;
  /** Milliseconds from the request to the decision (or to the escalation). */
  waitedMs: number;
}

/** The stages an Approval instance reports in customStatus; decisions are accepted only while pending. */
export type ApprovalStage = "requested" | "awaiting-decision" | "decided" | "escalated";

export function isAwaitingDecision(stage: unknown): boolean {
  return stage === "requested" || stage === "awaiting-decision";
}

export function validateApprovalRequest(input: unknown): ApprovalRequest {
  const body = requireObject(input, "The approval request");
  const { amount, requester, approver, timeoutHours } = body;
  if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0 || amount > Number.MAX_SAFE_INTEGER) {
    throw new ValidationError("invalid_amount", "amount must be a non-negative number.");
  }
  const request: ApprovalRequest = {
    amount,
    requester: requireName(requester, "requester"),
    timeoutHours: DEFAULT_APPROVAL_TIMEOUT_HOURS,
  };
  if (approver !== undefined) {
    request.approver = requireName(approver, "approver");
    // refuseDecision would refuse every decision on such a request (the requester may never decide
    // it, and nobody else is its approver): it could only ever escalate, so it is not started.
    if (sameName(request.approver, request.requester)) {
      throw new ValidationError(
        "approver_is_requester",
        "approver must be someone other than the requester: a requester may never decide their own request.",
      );
    }
  }
  if (timeoutHours !== undefined) {
    if (
      typeof timeoutHours !== "number" ||
      !Number.isFinite(timeoutHours) ||
      timeoutHours <= 0 ||
      timeoutHours > MAX_APPROVAL_TIMEOUT_HOURS
    ) {
      throw new ValidationError(
        "invalid_timeout",
        `timeoutHours must be a number above 0 and at most ${MAX_APPROVAL_TIMEOUT_HOURS}.`,
      );
    }
    request.timeoutHours = timeoutHours;
  }
  return request;
}

export function validateApprovalDecision(input: unknown): ApprovalDecision {
  const body = requireObject(input, "The decision");
  if (typeof body.approved !== "boolean") {
    throw new ValidationError("invalid_decision", "approved must be true or false.");
  }
  return { approved: body.approved, by: requireName(body.by, "by") };
}

/** The orchestrator ignores a malformed event rather than failing: anyone with the webhook URL can raise one. */
export function parseApprovalDecision(input: unknown): ApprovalDecision | undefined {
  try {
    return validateApprovalDecision(input);
  } catch {
    return undefined;
  }
}

/** The request an Approval instance was started with, or undefined when its input is not one. */
export function parseApprovalRequest(input: unknown): ApprovalRequest | undefined {
  try {
    return validateApprovalRequest(input);
  } catch {
    return undefined;
  }
}

/**
 * Why a decision may not be taken: the body of a 403, and the reason the orchestrator logs when it
 * ignores an event. It names nobody: the log goes to Application Insights, and a 403 must not tell
 * a caller who may decide.
 */
export interface DecisionRefusal {
  code: "own_request" | "not_the_approver";
  message: string;
}

/**
 * Who may decide a request: never its requester, and only its approver when it names one. Names
 * compare case-insensitively, ignoring surrounding spaces, Unicode compatibility forms and invisible
 * format characters (zero-width spaces and joiners, bidi marks: category Cf), so that "Ana ", a
 * full-width "ａｎａ" or "ana\u200b" is still ana. Used both by the decision route (403) and by the
 * orchestrator (which ignores the event), because an event can be raised past the route.
 * Deterministic, as the orchestrator needs: no locale, no clock.
 */
export function refuseDecision(
  request: Pick<ApprovalRequest, "requester" | "approver">,
  decision: Pick<ApprovalDecision, "by">,
): DecisionRefusal | undefined {
  if (sameName(decision.by, request.requester)) {
    return { code: "own_request", message: "The requester of this request cannot decide it." };
  }
  if (request.approver !== undefined && !sameName(decision.by, request.approver)) {
    return { code: "not_the_approver", message: "Only the approver this request names can decide it." };
  }
  return undefined;
}

function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}

/** Format characters (Cf) are invisible, so "ana\u200b" would otherwise pass for someone else. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

function canonicalName(name: string): string {
  // Stripped before normalizing too, so that no format character keeps two characters from composing.
  return name.replace(FORMAT_CHARACTERS, "").normalize("NFKC").replace(FORMAT_CHARACTERS, "").trim().toLowerCase();
}

export function approvalDeadline(requestedAt: Date, timeoutHours: number): Date {
  return new Date(requestedAt.getTime() + timeoutHours * 60 * 60 * 1000);
}

export function approvalOutcome(
  request: ApprovalRequest,
  decision: ApprovalDecision | "timed-out",
  requestedAt: Date,
  now: Date,
): ApprovalOutcome {
  const common = {
    amount: request.amount,
    requester: request.requester,
    decidedAt: now.toISOString(),
    waitedMs: now.getTime() - requestedAt.getTime(),
  };
  if (decision === "timed-out") return { status: "escalated", ...common };
  return { status: decision.approved ? "approved" : "rejected", decidedBy: decision.by, ...common };
}

function requireName(value: unknown, field: string): string {
  // A name of nothing but spaces and format characters would compare equal to every other such name.
  if (typeof value !== "string" || value.length > MAX_NAME_LENGTH || canonicalName(value).length === 0 || hasControlCharacter(value)) {
    throw new ValidationError(
      `invalid_${field}`,
      `${field} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, without control characters.`,
    );
  }
  return value;
}
