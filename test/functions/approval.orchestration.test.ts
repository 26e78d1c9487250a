import { beforeAll, describe, expect, it } from "vitest";
import type { ApprovalOutcome } from "../../src/logic/approval.js";
import { ActivityNames, EventNames, OrchestratorNames } from "../../src/names.js";
import { loadApp } from "../support/functionsHost.js";
import { ActionType, asSent, fireAtOf, isActivity, isTimer, OrchestrationRun, type EpisodeResult } from "../support/orchestrationReplay.js";

const START = new Date("2026-01-05T09:00:00.000Z");
const HOUR = 60 * 60 * 1000;
const WAIT_FOR_DECISION = { actionType: ActionType.WaitForExternalEvent, externalEventName: EventNames.approval, reason: "ExternalEvent" };
const REQUEST = { amount: 1250, requester: "ann", approver: "bob" };

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

/** Starts an approval and completes RequestApproval, so the instance waits for a decision. */
async function awaitingDecision(input: unknown = REQUEST): Promise<{ run: OrchestrationRun; waiting: EpisodeResult }> {
  const run = new OrchestrationRun(OrchestratorNames.approval, input, "approval-1", START);
  await run.start();
  const waiting = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.requestApproval)), null));
  return { run, waiting };
}

function decision(run: OrchestrationRun, payload: unknown) {
  return run.eventRaised(EventNames.approval, payload);
}

describe(`${OrchestratorNames.approval} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("asks for the approval with the request and the instance id, reporting the stage 'requested'", async () => {
    const run = new OrchestrationRun(OrchestratorNames.approval, REQUEST, "approval-1", START);

    const result = await run.start();

    expect(result.isDone).toBe(false);
    expect(result.actions).toEqual([
      {
        actionType: ActionType.CallActivity,
        functionName: ActivityNames.requestApproval,
        input: { instanceId: "approval-1", amount: 1250, requester: "ann", approver: "bob", timeoutHours: 72 },
      },
    ]);
    expect(result.customStatus).toEqual({ stage: "requested", deadline: at(72 * HOUR) });
  });

  it("then waits for ApprovalEvent or a timer 72 hours after the request", async () => {
    const { run, waiting } = await awaitingDecision();

    expect(waiting.isDone).toBe(false);
    expect(waiting.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(72 * HOUR) });
    expect(asSent(waiting.actions.slice(1))).toEqual([
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: false }],
      },
    ]);
    expect(waiting.newTasks).toHaveLength(1);
    expect(fireAtOf(run.task(isTimer).action)).toBe(at(72 * HOUR));
  });

  it("on approval cancels the timer, hands the outcome to HandleApproval and returns it", async () => {
    const { run } = await awaitingDecision();
    run.advance(2 * HOUR);

    const decided = await run.deliver(decision(run, { approved: true, by: "bob" }));

    const expected: ApprovalOutcome = {
      status: "approved",
      decidedBy: "bob",
      amount: 1250,
      requester: "ann",
      decidedAt: at(2 * HOUR),
      waitedMs: 2 * HOUR,
    };
    expect(decided.isDone).toBe(false);
    expect(decided.customStatus).toEqual({ stage: "decided", deadline: at(72 * HOUR) });
    expect(decided.actions[1]?.compoundActions?.[1]).toMatchObject({ actionType: ActionType.CreateTimer, isCanceled: true });
    expect(decided.newTasks.map((task) => task.action)).toEqual([
      { actionType: ActionType.CallActivity, functionName: ActivityNames.handleApproval, input: expected },
    ]);

    const done = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.handleApproval)), expected));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual(expected);
    expect(run.tasks.some((task) => isActivity(ActivityNames.escalate)(task.action))).toBe(false);
  });

  it("on rejection returns the rejected outcome", async () => {
    const { run } = await awaitingDecision();
    run.advance(5 * 60 * 1000);

    const decided = await run.deliver(decision(run, { approved: false, by: "Bob" }));
    const handle = run.task(isActivity(ActivityNames.handleApproval));
    const done = await run.deliver(run.activityCompleted(handle, handle.action.input));

    expect(done.isDone).toBe(true);
    expect(decided.actions[1]?.compoundActions?.[1]?.isCanceled).toBe(true);
    expect(done.output).toEqual({
      status: "rejected",
      decidedBy: "Bob",
      amount: 1250,
      requester: "ann",
      decidedAt: at(5 * 60 * 1000),
      waitedMs: 5 * 60 * 1000,
    } satisfies ApprovalOutcome);
  });

  it("ignores a malformed ApprovalEvent and keeps waiting until a valid decision arrives", async () => {
    const { run } = await awaitingDecision();
    run.advance(HOUR);

    const ignored = await run.deliver(decision(run, { approved: "yes" }));

    expect(ignored.isDone).toBe(false);
    expect(ignored.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(72 * HOUR) });
    expect(ignored.logs).toContainEqual({ level: "warning", message: "Ignoring a malformed ApprovalEvent." });
    // Still waiting for a decision, still bounded by a live timer at the original deadline: the
    // wait gets a timer of its own (a timer passed to a second Task.any would be scheduled twice).
    expect(asSent(ignored.actions.slice(1))).toEqual([
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: true }],
      },
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: false }],
      },
    ]);
    expect(ignored.newTasks.map((task) => [task.sequence, task.action.actionType])).toEqual([[2, ActionType.CreateTimer]]);

    run.advance(HOUR);
    const decided = await run.deliver(decision(run, { approved: true, by: "bob" }));
    expect(decided.customStatus).toEqual({ stage: "decided", deadline: at(72 * HOUR) });
    expect(decided.actions.slice(1, 3).map((action) => action.compoundActions?.[1]?.isCanceled)).toEqual([true, true]);
    const handle = run.task(isActivity(ActivityNames.handleApproval));
    expect(decided.newTasks).toEqual([handle]);
    expect(handle.action.input).toMatchObject({ status: "approved", decidedBy: "bob", waitedMs: 2 * HOUR });

    // The completion carries the id the extension gave HandleApproval; it must match the SDK's.
    const done = await run.deliver(run.activityCompleted(handle, handle.action.input));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toMatchObject({ status: "approved", decidedBy: "bob", waitedMs: 2 * HOUR });
  });

  it("ignores an ApprovalEvent by someone other than the named approver, as the decision route would refuse it", async () => {
    const { run } = await awaitingDecision();
    run.advance(HOUR);

    const ignored = await run.deliver(decision(run, { approved: true, by: "carol" }));

    expect(ignored.isDone).toBe(false);
    expect(ignored.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(72 * HOUR) });
    expect(ignored.logs).toContainEqual({
      level: "warning",
      message: "Ignoring an ApprovalEvent: Only the approver this request names can decide it.",
    });
    // As for a malformed event: the wait goes on, bounded by a fresh timer at the original deadline.
    expect(asSent(ignored.actions.slice(1))).toEqual([
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: true }],
      },
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: false }],
      },
    ]);
    expect(ignored.newTasks.map((task) => task.action.actionType)).toEqual([ActionType.CreateTimer]);
    expect(run.tasks.some((task) => isActivity(ActivityNames.handleApproval)(task.action))).toBe(false);

    run.advance(HOUR);
    const decided = await run.deliver(decision(run, { approved: true, by: "BOB" }));
    expect(decided.customStatus).toEqual({ stage: "decided", deadline: at(72 * HOUR) });
    // The ignored event is replayed, not warned about again.
    expect(decided.logs).toEqual([]);
    const handle = run.task(isActivity(ActivityNames.handleApproval));
    expect(handle.action.input).toMatchObject({ status: "approved", decidedBy: "BOB", waitedMs: 2 * HOUR });
    const done = await run.deliver(run.activityCompleted(handle, handle.action.input));
    expect(done.failed).toBe(false);
    expect(done.output).toMatchObject({ status: "approved", decidedBy: "BOB" });
  });

  it("ignores the requester's own decision on a request without an approver, and takes anyone else's", async () => {
    const { run } = await awaitingDecision({ amount: 10, requester: "dan" });

    const ignored = await run.deliver(decision(run, { approved: true, by: " Dan" }));
    expect(ignored.isDone).toBe(false);
    expect(ignored.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(72 * HOUR) });
    expect(ignored.logs).toContainEqual({
      level: "warning",
      message: "Ignoring an ApprovalEvent: The requester of this request cannot decide it.",
    });
    expect(ignored.newTasks.map((task) => task.action.actionType)).toEqual([ActionType.CreateTimer]);

    const decided = await run.deliver(decision(run, { approved: false, by: "erin" }));
    expect(decided.customStatus).toEqual({ stage: "decided", deadline: at(72 * HOUR) });
    const handle = run.task(isActivity(ActivityNames.handleApproval));
    expect(handle.action.input).toMatchObject({ status: "rejected", decidedBy: "erin", requester: "dan" });
  });

  it("ignores the requester's decision with a zero-width space, and logs no name", async () => {
    const { run } = await awaitingDecision({ amount: 10, requester: "dan", approver: "erin", timeoutHours: 1 });

    const ignored = await run.deliver(decision(run, { approved: true, by: "dan\u200b" }));
    expect(ignored.isDone).toBe(false);
    expect(ignored.logs).toEqual([{ level: "warning", message: "Ignoring an ApprovalEvent: The requester of this request cannot decide it." }]);

    run.advance(HOUR);
    const timedOut = await run.deliver(run.timerFired(run.lastTask(isTimer)));
    expect(timedOut.customStatus).toEqual({ stage: "escalated", deadline: at(HOUR) });
    expect(timedOut.newTasks.map((task) => task.action.functionName)).toEqual([ActivityNames.escalate]);
  });

  it("fails an instance whose request names the requester as its approver: nobody could ever decide it", async () => {
    const run = new OrchestrationRun(OrchestratorNames.approval, { amount: 10, requester: "dan", approver: "Dan", timeoutHours: 1 });

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("approver must be someone other than the requester: a requester may never decide their own request.");
    expect(result.actions).toEqual([]);
  });

  it("escalates at the original deadline after a malformed event, ignoring the replaced timer's firing", async () => {
    const { run } = await awaitingDecision();
    const replaced = run.task(isTimer);
    await run.deliver(decision(run, "approve"));
    const live = run.lastTask(isTimer);
    expect(live.sequence).not.toBe(replaced.sequence);
    run.advance(72 * HOUR);

    const stale = await run.deliver(run.timerFired(replaced));
    expect(stale.isDone).toBe(false);
    expect(stale.newTasks).toEqual([]);
    expect(stale.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(72 * HOUR) });

    const timedOut = await run.deliver(run.timerFired(live));
    expect(timedOut.customStatus).toEqual({ stage: "escalated", deadline: at(72 * HOUR) });
    const escalate = run.task(isActivity(ActivityNames.escalate));
    expect(timedOut.newTasks).toEqual([escalate]);
    const done = await run.deliver(run.activityCompleted(escalate, escalate.action.input));
    expect(done.isDone).toBe(true);
    expect(done.output).toMatchObject({ status: "escalated", waitedMs: 72 * HOUR });
  });

  it("keeps a decision that arrives while RequestApproval is still running and applies it right after", async () => {
    const run = new OrchestrationRun(OrchestratorNames.approval, REQUEST, "approval-1", START);
    await run.start();
    run.advance(60_000);

    const early = await run.deliver(decision(run, { approved: true, by: "bob" }));
    expect(early.isDone).toBe(false);
    expect(early.newTasks).toEqual([]);
    expect(early.customStatus).toEqual({ stage: "requested", deadline: at(72 * HOUR) });

    run.advance(60_000);
    const decided = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.requestApproval)), null));
    expect(decided.customStatus).toEqual({ stage: "decided", deadline: at(72 * HOUR) });
    expect(asSent(decided.actions.slice(1))).toEqual([
      {
        actionType: ActionType.WhenAny,
        compoundActions: [WAIT_FOR_DECISION, { actionType: ActionType.CreateTimer, fireAt: at(72 * HOUR), isCanceled: true }],
      },
      {
        actionType: ActionType.CallActivity,
        functionName: ActivityNames.handleApproval,
        input: { status: "approved", decidedBy: "bob", amount: 1250, requester: "ann", decidedAt: at(120_000), waitedMs: 120_000 },
      },
    ]);
  });

  it("escalates when the timer fires before any decision", async () => {
    const { run } = await awaitingDecision();
    const timer = run.task(isTimer);
    run.advance(72 * HOUR);

    const timedOut = await run.deliver(run.timerFired(timer));

    const expected: ApprovalOutcome = {
      status: "escalated",
      amount: 1250,
      requester: "ann",
      decidedAt: at(72 * HOUR),
      waitedMs: 72 * HOUR,
    };
    expect(timedOut.isDone).toBe(false);
    expect(timedOut.customStatus).toEqual({ stage: "escalated", deadline: at(72 * HOUR) });
    expect(timedOut.newTasks.map((task) => task.action)).toEqual([
      { actionType: ActionType.CallActivity, functionName: ActivityNames.escalate, input: expected },
    ]);

    const done = await run.deliver(run.activityCompleted(run.task(isActivity(ActivityNames.escalate)), expected));
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual(expected);
    expect(run.tasks.some((task) => isActivity(ActivityNames.handleApproval)(task.action))).toBe(false);
  });

  it("uses a custom timeoutHours for the timer", async () => {
    const { run, waiting } = await awaitingDecision({ amount: 10, requester: "dan", timeoutHours: 1 });

    expect(run.tasks[0]?.action.input).toEqual({ instanceId: "approval-1", amount: 10, requester: "dan", timeoutHours: 1 });
    expect(waiting.customStatus).toEqual({ stage: "awaiting-decision", deadline: at(HOUR) });
    expect(fireAtOf(run.task(isTimer).action)).toBe(at(HOUR));
  });

  it("fails the instance with a clear message when the request is invalid", async () => {
    const run = new OrchestrationRun(OrchestratorNames.approval, { amount: -1, requester: "ann" });

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("amount must be a non-negative number.");
    expect(result.actions).toEqual([]);
  });

  it("fails the instance when the input is not an object", async () => {
    const run = new OrchestrationRun(OrchestratorNames.approval, "approve me");

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("The approval request must be a JSON object, not a string.");
  });
});
