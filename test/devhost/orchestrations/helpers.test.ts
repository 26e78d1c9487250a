import { describe, expect, it } from "vitest";
import { ActionType } from "../../../devhost/protocol/ActionType.js";
import { deterministicGuid } from "../../../devhost/orchestrations/deterministicGuid.js";
import { leafActions } from "../../../devhost/orchestrations/leafActions.js";
import { longTimer } from "../../../devhost/orchestrations/longTimer.js";
import { messageIds } from "../../../devhost/protocol/messageIds.js";
import { retryDelay } from "../../../devhost/orchestrations/retryDelay.js";
import type { SdkAction } from "../../../devhost/protocol/SdkAction.js";
import { T0 } from "../support/inMemoryTaskHub.js";

const DAY = 24 * 60 * 60 * 1000;

describe("retryDelay", () => {
  it("grows by the backoff coefficient from the first interval, up to the maximum", () => {
    const options = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 9, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 5000 };
    expect([0, 1, 2, 3].map((attempt) => retryDelay(options, attempt, T0, T0))).toEqual([1000, 2000, 4000, 5000]);
  });

  it("defaults to a constant interval capped at six days", () => {
    expect(retryDelay({ firstRetryIntervalInMilliseconds: 10 * DAY, maxNumberOfAttempts: 2 }, 0, T0, T0)).toBe(6 * DAY);
    expect(retryDelay({ firstRetryIntervalInMilliseconds: 250, maxNumberOfAttempts: 2 }, 5, T0, T0)).toBe(250);
  });

  it("gives up once the retry timeout, counted from the first attempt, has passed", () => {
    const options = { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 9, retryTimeoutInMilliseconds: 1000 };
    expect(retryDelay(options, 1, T0, new Date(T0.getTime() + 999))).toBe(100);
    expect(retryDelay(options, 1, T0, new Date(T0.getTime() + 1000))).toBeUndefined();
  });
});

describe("longTimer", () => {
  it("is long only beyond six days, and then advances three days at a time", () => {
    expect(longTimer.isLong(new Date(T0.getTime() + 6 * DAY), T0)).toBe(false);
    expect(longTimer.isLong(new Date(T0.getTime() + 6 * DAY + 1), T0)).toBe(true);
    expect(longTimer.nextFireAt(new Date(T0.getTime() + 20 * DAY), T0)).toEqual(new Date(T0.getTime() + 3 * DAY));
    expect(longTimer.nextFireAt(new Date(T0.getTime() + 5 * DAY), T0)).toEqual(new Date(T0.getTime() + 5 * DAY));
  });
});

describe("leafActions", () => {
  it("numbers compound children depth first, skips waits and ContinueAsNew, and marks a re-used task", () => {
    const activity: SdkAction = { actionType: ActionType.CallActivity, functionName: "a" };
    const timer: SdkAction = { actionType: ActionType.CreateTimer, fireAt: T0 };
    const wait: SdkAction = { actionType: ActionType.WaitForExternalEvent, externalEventName: "e" };
    const signal: SdkAction = { actionType: ActionType.SignalEntity, instanceId: "@x@k", operation: "op" };
    const actions: SdkAction[] = [
      signal,
      { actionType: ActionType.WhenAll, compoundActions: [activity, { actionType: ActionType.WhenAny, compoundActions: [wait, timer] }] },
      { actionType: ActionType.WhenAny, compoundActions: [activity, wait] },
      { actionType: ActionType.ContinueAsNew, input: 1 },
    ];

    expect(leafActions(actions).map((leaf) => [leaf.action.actionType, leaf.repeated])).toEqual([
      [ActionType.SignalEntity, false],
      [ActionType.CallActivity, false],
      [ActionType.CreateTimer, false],
      [ActionType.CallActivity, true],
    ]);
  });
});

describe("deterministic ids", () => {
  it("are the same for the same step and differ between steps", () => {
    expect(deterministicGuid("i", "e", 3)).toBe(deterministicGuid("i", "e", 3));
    expect(deterministicGuid("i", "e", 3)).not.toBe(deterministicGuid("i", "e", 4));
    expect(deterministicGuid("i", "e", 3)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIds.workItem("a|b", "e", 1)).not.toBe(messageIds.workItem("a", "b|e", 1));
  });
});
