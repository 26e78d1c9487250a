import { beforeAll, describe, expect, it } from "vitest";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { ActivityNames } from "../../src/names.js";
import type { ApprovalOutcome } from "../../src/logic/approval.js";

/** RequestApproval, HandleApproval and Escalate through the SDK's activity wrapper. */

async function callActivity(name: string, input: unknown): Promise<{ result: unknown; logs: LogLine[] }> {
  const fn = registeredFunction(name);
  const logs: LogLine[] = [];
  const result = await fn.handler(input, invocationContext(fn, logs));
  return { result, logs };
}

beforeAll(async () => {
  await loadApp();
});

describe("RequestApproval", () => {
  it("logs the request with its approver at information level", async () => {
    const { result, logs } = await callActivity(ActivityNames.requestApproval, {
      instanceId: "abc123",
      amount: 250,
      requester: "ann",
      approver: "bob",
      timeoutHours: 72,
    });

    expect(result).toBeUndefined();
    expect(logs).toEqual([{ level: "information", message: "Approval requested for 250 by ann from bob; instance abc123." }]);
  });

  it("leaves the approver out when there is none", async () => {
    const { logs } = await callActivity(ActivityNames.requestApproval, {
      instanceId: "abc124",
      amount: 10,
      requester: "ann",
      timeoutHours: 1,
    });

    expect(logs).toEqual([{ level: "information", message: "Approval requested for 10 by ann; instance abc124." }]);
  });
});

describe("HandleApproval", () => {
  it("logs the decision at information level and returns the outcome", async () => {
    const outcome: ApprovalOutcome = {
      status: "approved",
      amount: 250,
      requester: "ann",
      decidedBy: "bob",
      decidedAt: "2024-01-01T10:00:00.000Z",
      waitedMs: 60_000,
    };
    const { result, logs } = await callActivity(ActivityNames.handleApproval, outcome);

    expect(result).toEqual(outcome);
    expect(logs).toEqual([{ level: "information", message: "Request by ann for 250 was approved by bob." }]);
  });

  it("names nobody when the outcome has no decider", async () => {
    const outcome: ApprovalOutcome = {
      status: "rejected",
      amount: 5,
      requester: "carl",
      decidedAt: "2024-01-01T10:00:00.000Z",
      waitedMs: 1,
    };
    const { result, logs } = await callActivity(ActivityNames.handleApproval, outcome);

    expect(result).toEqual(outcome);
    expect(logs).toEqual([{ level: "information", message: "Request by carl for 5 was rejected by nobody." }]);
  });
});

describe("Escalate", () => {
  it("logs a warning and returns the outcome", async () => {
    const outcome: ApprovalOutcome = {
      status: "escalated",
      amount: 250,
      requester: "ann",
      decidedAt: "2024-01-04T10:00:00.000Z",
      waitedMs: 259_200_000,
    };
    const { result, logs } = await callActivity(ActivityNames.escalate, outcome);

    expect(result).toEqual(outcome);
    expect(logs).toEqual([
      { level: "warning", message: "No decision on ann's request for 250 after 259200000 ms; escalating." },
    ]);
  });
});
