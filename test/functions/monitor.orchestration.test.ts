import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS_PER_GENERATION } from "../../src/functions/monitor.js";
import type { EndpointObservation, MonitorRequest } from "../../src/logic/monitor.js";
import { ActivityNames, OrchestratorNames } from "../../src/names.js";
import { loadApp } from "../support/functionsHost.js";
import {
  ActionType,
  asSent,
  fireAtOf,
  isActivity,
  isTimer,
  OrchestrationRun,
  type EpisodeResult,
} from "../support/orchestrationReplay.js";

const START = new Date("2026-01-05T09:00:00.000Z");
const ENDPOINT = "https://status.example.com/health";
const isCheck = isActivity(ActivityNames.checkEndpoint);
const isAlert = isActivity(ActivityNames.sendAlert);

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

function monitor(input: unknown): OrchestrationRun {
  return new OrchestrationRun(OrchestratorNames.monitor, input, undefined, START);
}

/** Completes the pending CheckEndpoint call with what the endpoint showed. */
function observe(run: OrchestrationRun, observation: EndpointObservation): Promise<EpisodeResult> {
  return run.deliver(run.activityCompleted(run.lastTask(isCheck), observation));
}

/** Moves the clock to the pending timer's time and fires it. */
function fireTimer(run: OrchestrationRun): Promise<EpisodeResult> {
  const timer = run.lastTask(isTimer);
  run.advance(Date.parse(fireAtOf(timer.action)) - run.now.getTime());
  return run.deliver(run.timerFired(timer));
}

function checksScheduled(run: OrchestrationRun): number {
  return run.tasks.filter((task) => isCheck(task.action)).length;
}

describe(`${OrchestratorNames.monitor} through the SDK's replay`, () => {
  beforeAll(async () => {
    await loadApp();
  });

  it("checks the endpoint first, passing only the url when no body text is expected", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200 } });

    const result = await run.start();

    expect(result.isDone).toBe(false);
    expect(result.actions).toEqual([{ actionType: ActionType.CallActivity, functionName: ActivityNames.checkEndpoint, input: { url: ENDPOINT } }]);
  });

  it("passes bodyContains to CheckEndpoint when the body is expected to contain text", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200, bodyContains: "ready" } });

    const result = await run.start();

    expect(result.newTasks.map((task) => task.action.input)).toEqual([{ url: ENDPOINT, bodyContains: "ready" }]);
  });

  it("alerts and completes as met when the first check meets the condition", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200 } });
    await run.start();

    const met = await observe(run, { status: 200 });

    expect(met.isDone).toBe(false);
    expect(met.newTasks.map((task) => task.action)).toEqual([
      { actionType: ActionType.CallActivity, functionName: ActivityNames.sendAlert, input: { url: ENDPOINT, observation: { status: 200 }, checks: 1 } },
    ]);
    expect(run.tasks.some((task) => isTimer(task.action))).toBe(false);

    const done = await run.deliver(run.activityCompleted(run.task(isAlert), null));
    expect(done.failed).toBe(false);
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual({ status: "met", checks: 1 });
  });

  it("reports progress and sleeps until now + intervalSeconds when the condition is not met, then checks again", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200 }, intervalSeconds: 45 });
    await run.start();

    const notMet = await observe(run, { status: 503 });

    expect(notMet.isDone).toBe(false);
    expect(notMet.customStatus).toEqual({ checks: 1, lastStatus: 503, nextCheckAt: at(45_000), expiresAt: at(60 * 60_000) });
    expect(asSent(notMet.newTasks.map((task) => task.action))).toEqual([
      { actionType: ActionType.CreateTimer, fireAt: at(45_000), isCanceled: false },
    ]);

    const woken = await fireTimer(run);
    expect(woken.isDone).toBe(false);
    expect(woken.newTasks.map((task) => [task.sequence, task.action.functionName, task.action.input])).toEqual([
      [2, ActivityNames.checkEndpoint, { url: ENDPOINT }],
    ]);

    run.advance(2_000);
    const second = await observe(run, { status: 500 });
    expect(second.customStatus).toEqual({ checks: 2, lastStatus: 500, nextCheckAt: at(47_000 + 45_000), expiresAt: at(60 * 60_000) });
    expect(fireAtOf(run.lastTask(isTimer).action)).toBe(at(47_000 + 45_000));
  });

  it("treats an observation with an error and no status as not met", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200 } });
    await run.start();

    const failedCheck = await observe(run, { error: "connect ECONNREFUSED 10.0.0.1:443" });

    expect(failedCheck.isDone).toBe(false);
    expect(failedCheck.customStatus).toEqual({
      checks: 1,
      lastError: "connect ECONNREFUSED 10.0.0.1:443",
      nextCheckAt: at(30_000),
      expiresAt: at(60 * 60_000),
    });
    expect(run.tasks.some((task) => isAlert(task.action))).toBe(false);
    expect(failedCheck.newTasks.map((task) => task.action.actionType)).toEqual([ActionType.CreateTimer]);
  });

  it("treats a right status without the expected body text as not met", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200, bodyContains: "ready" } });
    await run.start();

    const notYet = await observe(run, { status: 200, bodyMatched: false });
    expect(notYet.newTasks.map((task) => task.action.actionType)).toEqual([ActionType.CreateTimer]);

    await fireTimer(run);
    await observe(run, { status: 200, bodyMatched: true });
    expect(run.lastTask(isAlert).action.input).toEqual({ url: ENDPOINT, observation: { status: 200, bodyMatched: true }, checks: 2 });
  });

  it("expires without a timer past the expiry: every 30 s for 1 minute makes 2 checks", async () => {
    // Check 1 at +0 s sleeps until +30 s; check 2 at +30 s would sleep until +60 s, which is the
    // expiry itself, so the monitor ends there.
    const run = monitor({ url: ENDPOINT, expect: { status: 200 }, intervalSeconds: 30, expiryMinutes: 1 });
    await run.start();
    await observe(run, { status: 503 });
    await fireTimer(run);

    const expired = await observe(run, { status: 503 });

    expect(expired.failed).toBe(false);
    expect(expired.isDone).toBe(true);
    expect(expired.output).toEqual({ status: "expired", checks: 2 });
    expect(expired.customStatus).toEqual({ checks: 2, lastStatus: 503, expiresAt: at(60_000) });
    expect(expired.newTasks).toEqual([]);
    const timers = run.tasks.filter((task) => isTimer(task.action)).map((task) => fireAtOf(task.action));
    expect(timers).toEqual([at(30_000)]);
    expect(timers.every((fireAt) => fireAt < at(60_000))).toBe(true);
  });

  it(`continues as new after ${CHECKS_PER_GENERATION} checks, carrying the expiry and the count, and the next generation keeps both`, async () => {
    expect(CHECKS_PER_GENERATION).toBe(20);
    // 30 s interval, 11 minutes: checks at +0, +30, ... +630 s, i.e. 22 checks over two generations.
    const request = { url: ENDPOINT, expect: { status: 200 }, intervalSeconds: 30, expiryMinutes: 11 };
    const run = monitor(request);
    await run.start();
    for (let check = 1; check < CHECKS_PER_GENERATION; check++) {
      await observe(run, { status: 503 });
      await fireTimer(run);
    }
    const twentieth = await observe(run, { status: 503 });
    expect(twentieth.customStatus).toMatchObject({ checks: 20, nextCheckAt: at(600_000), expiresAt: at(660_000) });
    expect(checksScheduled(run)).toBe(20);

    const continued = await fireTimer(run);

    expect(continued.isDone).toBe(true);
    expect(continued.output).toBeUndefined();
    expect(continued.newTasks).toEqual([]);
    const carried = { ...request, expiresAt: at(660_000), checks: 20 } satisfies MonitorRequest & { expiresAt: string; checks: number };
    expect(continued.continuedAsNewWith).toEqual(carried);
    expect(continued.actions.at(-1)).toEqual({ actionType: ActionType.ContinueAsNew, input: carried });

    const next = await run.continueAsNew();
    expect(next.isDone).toBe(false);
    expect(next.actions).toEqual([{ actionType: ActionType.CallActivity, functionName: ActivityNames.checkEndpoint, input: { url: ENDPOINT } }]);

    const twentyFirst = await observe(run, { status: 503 });
    expect(twentyFirst.customStatus).toEqual({ checks: 21, lastStatus: 503, nextCheckAt: at(630_000), expiresAt: at(660_000) });

    await fireTimer(run);
    const expired = await observe(run, { status: 503 });
    expect(expired.isDone).toBe(true);
    expect(expired.output).toEqual({ status: "expired", checks: 22 });
    expect(expired.customStatus).toEqual({ checks: 22, lastStatus: 503, expiresAt: at(660_000) });
  });

  it("counts the checks of earlier generations when the condition is met later", async () => {
    const run = monitor({ url: ENDPOINT, expect: { status: 200 }, expiresAt: at(60 * 60_000), checks: 40, intervalSeconds: 30, expiryMinutes: 60 });
    await run.start();

    await observe(run, { status: 200 });

    expect(run.lastTask(isAlert).action.input).toEqual({ url: ENDPOINT, observation: { status: 200 }, checks: 41 });
    const done = await run.deliver(run.activityCompleted(run.lastTask(isAlert), null));
    expect(done.output).toEqual({ status: "met", checks: 41 });
  });

  it("fails the instance with a clear message when the request is invalid", async () => {
    const run = monitor({ url: "ftp://files.example.com/", expect: { status: 200 } });

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("Only http and https URLs can be monitored, not ftp.");
    expect(result.actions).toEqual([]);
  });

  it("fails the instance when the request expects nothing", async () => {
    const run = monitor({ url: ENDPOINT, expect: {} });

    const result = await run.start();

    expect(result.failed).toBe(true);
    expect(result.error).toBe("expect needs status, bodyContains or both.");
  });
});
