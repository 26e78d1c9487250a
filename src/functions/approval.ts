import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { ActivityNames, EventNames, MetricNames, OrchestratorNames, TelemetryEventNames } from "../names.js";
import { trackEvent, trackMetric } from "../telemetry.js";
import {
  approvalDeadline,
  approvalOutcome,
  isAwaitingDecision,
  parseApprovalDecision,
  parseApprovalRequest,
  refuseDecision,
  validateApprovalDecision,
  validateApprovalRequest,
  type ApprovalDecision,
  type ApprovalOutcome,
  type ApprovalRequest,
  type ApprovalStage,
} from "../logic/approval.js";
import { validateResourceId } from "../logic/resourceIds.js";
import { findInstance, isTerminal } from "../durable/instances.js";
import { forbidden, gone, notFound } from "../http/HttpError.js";
import { readJsonBody } from "../http/requestBody.js";
import { withJsonErrors, type DurableHttpHandler } from "../http/jsonResponses.js";

/**
 * Human interaction: ask for an approval, then wait for whichever comes first, the decision
 * (external event ApprovalEvent) or a durable timer (72 hours by default), and escalate on timeout.
 */

export interface ApprovalStatusReport {
  stage: ApprovalStage;
  deadline?: string;
}

const approval: OrchestrationHandler = function* (context: OrchestrationContext) {
  const request = validateApprovalRequest(context.df.getInput());
  const requestedAt = context.df.currentUtcDateTime;
  const deadline = approvalDeadline(requestedAt, request.timeoutHours);
  const report = (stage: ApprovalStage): void =>
    context.df.setCustomStatus({ stage, deadline: deadline.toISOString() } satisfies ApprovalStatusReport);

  report("requested");
  yield context.df.callActivity(ActivityNames.requestApproval, { instanceId: context.df.instanceId, ...request });
  report("awaiting-decision");

  let timeout = context.df.createTimer(deadline);
  for (;;) {
    const decisionEvent = context.df.waitForExternalEvent(EventNames.approval);
    const winner: unknown = yield context.df.Task.any([decisionEvent, timeout]);
    if (winner === timeout) {
      report("escalated");
      const outcome = approvalOutcome(request, "timed-out", requestedAt, context.df.currentUtcDateTime);
      yield context.df.callActivity(ActivityNames.escalate, outcome);
      return outcome;
    }
    timeout.cancel();
    const decision = parseApprovalDecision(decisionEvent.result);
    // Anyone with the webhook URL can raise an event, past the decision route's checks: a malformed
    // one, or one by someone who may not decide (the same rule the route answers 403 for), must not
    // end the wait.
    const refusal = decision === undefined ? undefined : refuseDecision(request, decision);
    if (decision === undefined || refusal !== undefined) {
      if (!context.df.isReplaying) {
        context.warn(refusal === undefined ? "Ignoring a malformed ApprovalEvent." : `Ignoring an ApprovalEvent: ${refusal.message}`);
      }
      // A new timer for the same deadline: durable-functions re-emits a timer that is passed to a
      // second Task.any as a new CreateTimer, which shifts the extension's task ids off the SDK's
      // (azure-functions-durable-js#574) and leaves the instance waiting forever.
      timeout = context.df.createTimer(deadline);
      continue;
    }
    report("decided");
    const outcome = approvalOutcome(request, decision, requestedAt, context.df.currentUtcDateTime);
    yield context.df.callActivity(ActivityNames.handleApproval, outcome);
    return outcome;
  }
};

/*
 * The activities' logs name nobody (no requester, approver or decider): the host ships them to
 * Application Insights, which is kept longer and seen by more people than the workflow's data.
 * They say what happened, for how much, and to which instance.
 */

/** Where a real app sends the approver an email or a Teams card with the decision link. */
export function requestApproval(input: unknown, context: InvocationContext): void {
  const request = input as ApprovalRequest & { instanceId: string };
  const from = request.approver === undefined ? "" : " from its named approver";
  context.log(`Approval requested for ${request.amount}${from}; instance ${request.instanceId}.`);
}

export function handleApproval(input: unknown, context: InvocationContext): ApprovalOutcome {
  const outcome = input as ApprovalOutcome;
  context.log(`Approval for ${outcome.amount} was ${outcome.status}${instanceOf(context)}.`);
  reportDecision(context, outcome);
  return outcome;
}

export function escalate(input: unknown, context: InvocationContext): ApprovalOutcome {
  const outcome = input as ApprovalOutcome;
  context.warn(`No decision on the approval for ${outcome.amount} after ${outcome.waitedMs} ms; escalating${instanceOf(context)}.`);
  reportDecision(context, outcome);
  return outcome;
}

/**
 * "; instance <id>" for an activity's log line. The outcome an activity gets does not carry the
 * instance id, but the extension passes it with every activity trigger (its binding data
 * `instanceId`, which the worker hands over as triggerMetadata).
 */
function instanceOf(context: InvocationContext): string {
  const instanceId = context.triggerMetadata?.instanceId;
  return typeof instanceId === "string" && instanceId !== "" ? `; instance ${instanceId}` : "";
}

/**
 * Reported from the activities, which run once per decision (replays never re-run them); names
 * stay out of telemetry, which is kept longer and seen by more people than the workflow's data.
 */
function reportDecision(context: InvocationContext, outcome: ApprovalOutcome): void {
  trackEvent(context, TelemetryEventNames.approvalDecided, { status: outcome.status }, {
    amount: outcome.amount,
    timeToDecideMs: outcome.waitedMs,
  });
  trackMetric(MetricNames.approvalTimeToDecideMs, outcome.waitedMs, { status: outcome.status });
}

/** POST approvals: validate the request and start an Approval instance. */
const startApproval: DurableHttpHandler = async (request, client) => {
  const input = validateApprovalRequest(await readJsonBody(request));
  const instanceId = await client.startNew(OrchestratorNames.approval, { input });
  return client.createCheckStatusResponse(request, instanceId);
};

/**
 * POST approvals/{instanceId}/decision: deliver the decision while the instance still waits for one,
 * if `by` may decide it (not the requester; the approver, when the request names one). `by` is what
 * the caller says: the function key is the only authentication here.
 */
const submitDecision: DurableHttpHandler = async (request, client, context) => {
  const instanceId = validateResourceId(request.params.instanceId, "instance id");
  const decision: ApprovalDecision = validateApprovalDecision(await readJsonBody(request));
  // The input is the request: who may decide it.
  const status = await findInstance(context, instanceId, { showInput: true });
  if (status === undefined || status.name !== OrchestratorNames.approval) {
    throw notFound("instance_not_found", `No approval with ID '${instanceId}' exists.`);
  }
  // Who may decide comes from the request the instance was started with (findInstance asks for the input).
  const approvalRequest = parseApprovalRequest(status.input);
  const refusal = approvalRequest === undefined ? undefined : refuseDecision(approvalRequest, decision);
  if (refusal !== undefined) throw forbidden(refusal.code, refusal.message);
  const stage = (status.customStatus as Partial<ApprovalStatusReport> | null | undefined)?.stage;
  const decidedStage = stage !== undefined && !isAwaitingDecision(stage) ? stage : undefined;
  if (isTerminal(status) || decidedStage !== undefined) {
    // An instance that ended while still waiting (terminated, failed) says so, not "awaiting-decision".
    throw gone("already_decided", `The approval '${instanceId}' was already ${decidedStage ?? status.runtimeStatus.toLowerCase()}.`);
  }
  if (approvalRequest === undefined) {
    // The starters validate the request and the orchestrator fails on one that is not valid, so a
    // waiting Approval without one is a fault, not a decision to deliver unchecked.
    throw new Error(`The approval '${instanceId}' is waiting but its input is not a valid approval request.`);
  }
  await client.raiseEvent(instanceId, EventNames.approval, decision);
  return { status: 202, jsonBody: { instanceId, approved: decision.approved, by: decision.by } };
};

df.app.orchestration(OrchestratorNames.approval, approval);
df.app.activity(ActivityNames.requestApproval, { handler: requestApproval });
df.app.activity(ActivityNames.handleApproval, { handler: handleApproval });
df.app.activity(ActivityNames.escalate, { handler: escalate });

df.app.client.http("ApprovalStart", {
  route: "approvals",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(startApproval),
});

df.app.client.http("ApprovalDecision", {
  route: "approvals/{instanceId}/decision",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(submitDecision),
});
