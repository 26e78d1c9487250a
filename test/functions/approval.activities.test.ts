import { beforeAll, describe, expect, it } from "vitest";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { ActivityNames } from "../../src/names.js";
import type { ApprovalOutcome } from "../../src/logic/approval.js";

/**
 * RequestApproval, HandleApproval and Escalate through the SDK's activity wrapper. Their logs go
 * to Application Insights, so they must name nobody: every name in these inputs is checked absent.
 */

const NAMES = ["ann", "bob", "carl"];

/** The activity's result and logs; `instanceId` is what the extension passes in the trigger's metadata. */
async function callActivity(name: string, input: unknown, instanceId?: string): Promise<{ result: unknown; logs: LogLine[] }> {
  const fn = registeredFunction(name);
  const logs: LogLine[] = [];
  const context = invocationContext(fn, logs);
  if (instanceId !== undefined) context.triggerMetadata = { instanceId, data: input };
  const result = await fn.handler(input, context);
  for (const line of logs) {
    for (const person of NAMES) expect(line.message.toLowerCase(), `a log line names '${person}'`).not.toContain(person);
  }
  return { result, logs };
}

beforeAll(async () => {
  await loadApp();
});

describe("RequestApproval", () => {
  it("logs the amount, that an approver is named, and the instance, at information level, naming nobody", async () => {
    const { result, logs } = await callActivity(ActivityNames.requestApproval, {
      instanceId: "abc123",
      amount: 250,
      requester: "ann",
      approver: "bob",
      timeoutHours: 72,
    });

    expect(result).toBeUndefined();
    expect(logs).toEqual([{ level: "information", message: "Approval requested for 250 from its named approver; instance abc123." }]);
  });

  it("leaves the approver out when there is none", async () => {
    const { logs } = await callActivity(ActivityNames.requestApproval, {
      instanceId: "abc124",
      amount: 10,
      requester: "ann",
      timeoutHours: 1,
    });

    expect(logs).toEqual([{ level: "information", message: "Approval requested for 10; instance abc124." }]);
  });
});

describe("HandleApproval", () => {
  const approved: ApprovalOutcome = {
    status: "approved",
    amount: 250,
    requester: "ann",
    decidedBy: "bob",
    decidedAt: "2024-01-01T10:00:00.000Z",
    waitedMs: 60_000,
  };

  it("logs the amount, the status and the instance at information level, naming nobody, and returns the outcome", async () => {
    const { result, logs } = await callActivity(ActivityNames.handleApproval, approved, "abc123");

    expect(result).toEqual(approved);
    expect(logs).toEqual([{ level: "information", message: "Approval for 250 was approved; instance abc123." }]);
  });

  it("leaves the instance out when the trigger metadata has none", async () => {
    const { logs } = await callActivity(ActivityNames.handleApproval, approved);
    expect(logs).toEqual([{ level: "information", message: "Approval for 250 was approved." }]);
  });

  it("logs a rejection the same way", async () => {
    const outcome: ApprovalOutcome = {
      status: "rejected",
      amount: 5,
      requester: "carl",
      decidedBy: "bob",
      decidedAt: "2024-01-01T10:00:00.000Z",
      waitedMs: 1,
    };
    const { result, logs } = await callActivity(ActivityNames.handleApproval, outcome, "abc125");

    expect(result).toEqual(outcome);
    expect(logs).toEqual([{ level: "information", message: "Approval for 5 was rejected; instance abc125." }]);
  });
});

describe("Escalate", () => {
  it("logs a warning with the amount, the wait and the instance, naming nobody, and returns the outcome", async () => {
    const outcome: ApprovalOutcome = {
      status: "escalated",
      amount: 250,
      requester: "ann",
      decidedAt: "2024-01-04T10:00:00.000Z",
      waitedMs: 259_200_000,
    };
    const { result, logs } = await callActivity(ActivityNames.escalate, outcome, "abc126");

    expect(result).toEqual(outcome);
    expect(logs).toEqual([
      { level: "warning", message: "No decision on the approval for 250 after 259200000 ms; escalating; instance abc126." },
    ]);
  });
});
