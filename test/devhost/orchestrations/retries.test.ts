import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { describe, expect, it } from "vitest";
import { EventType, type HistoryEvent } from "../../../devhost/protocol/historyEvents.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

/**
 * Retries through the runner: the SDK's RetryableTask numbers a timer after each failed attempt and
 * the next attempt after that timer, the host computes the delays as the Durable Task Framework
 * does. A number the host got wrong would hand a result to the wrong task, or leave one waiting.
 */

interface FlakyInput {
  key: string;
  /** The attempt that first succeeds. */
  succeedOn: number;
  value: string;
}

const attempts = new Map<string, number>();

df.app.activity("Retry_Flaky", {
  handler: (input: FlakyInput) => {
    const attempt = (attempts.get(input.key) ?? 0) + 1;
    attempts.set(input.key, attempt);
    if (attempt < input.succeedOn) throw new Error(`attempt ${attempt} of ${input.value} failed`);
    return `${input.value}@${attempt}`;
  },
});

df.app.activity("Retry_Echo", { handler: (input: unknown) => input });

function retryOptions(first: number, max: number, extra: Partial<df.RetryOptions> = {}): df.RetryOptions {
  return Object.assign(new df.RetryOptions(first, max), extra);
}

df.app.orchestration("Retry_One", function* (context: OrchestrationContext) {
  const { input, options } = context.df.getInput<{ input: FlakyInput; options: df.RetryOptions }>();
  const result: unknown = yield context.df.callActivityWithRetry("Retry_Flaky", Object.assign(new df.RetryOptions(1, 1), options), input);
  return result;
});

df.app.orchestration("Retry_Concurrent", function* (context: OrchestrationContext) {
  const keys = context.df.getInput<[string, string]>();
  const retry = retryOptions(1000, 3);
  const all: unknown = yield context.df.Task.all([
    context.df.callActivityWithRetry("Retry_Flaky", retry, { key: keys[0], succeedOn: 3, value: "A" }),
    context.df.callActivity("Retry_Echo", "B"),
    context.df.callActivityWithRetry("Retry_Flaky", retry, { key: keys[1], succeedOn: 2, value: "C" }),
    context.df.callActivity("Retry_Echo", "D"),
  ]);
  const after: unknown = yield context.df.callActivity("Retry_Echo", "E");
  return { all, after };
});

/** A retrying task raced against a plain one: the race resumes the orchestrator in the batch that also fails the retry. */
df.app.orchestration("Retry_Interleaved", function* (context: OrchestrationContext) {
  const key = context.df.getInput<string>();
  const retried = context.df.callActivityWithRetry("Retry_Flaky", retryOptions(1000, 3), { key, succeedOn: 2, value: "R" });
  const plain = context.df.callActivity("Retry_Echo", "P");
  const first: unknown = yield context.df.Task.any([retried, plain]);
  const next: unknown = yield context.df.callActivity("Retry_Echo", "X");
  const late: unknown = yield retried;
  return { first: first === plain ? "plain" : "retried", next, late };
});

const at = (ms: number): string => new Date(T0.getTime() + ms).toISOString();

const app = useRegistryInvoker();

/** [type, number] for every event that records or completes a numbered task, in history order. */
function numbering(history: readonly HistoryEvent[]): string[] {
  return history.flatMap((event) => {
    switch (event.EventType) {
      case EventType.TaskScheduled:
        return [`scheduled ${event.TaskScheduledId} ${event.Name}`];
      case EventType.TaskCompleted:
        return [`completed ${event.TaskScheduledId}`];
      case EventType.TaskFailed:
        return [`failed ${event.TaskScheduledId}`];
      case EventType.TimerCreated:
        return [`timer ${event.TimerId} ${event.FireAt}`];
      case EventType.TimerFired:
        return [`fired ${event.TimerId}`];
      default:
        return [];
    }
  });
}

describe("callActivityWithRetry", () => {
  it("succeeds on the third attempt after timers of firstRetryInterval × backoffCoefficient^n", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const key = randomUUID();
    const id = hub.startOrchestration("Retry_One", { input: { key, succeedOn: 3, value: "v" }, options: retryOptions(1000, 5, { backoffCoefficient: 3 }) });

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe("v@3");
    expect(numbering(hub.instance(id).history)).toEqual([
      "scheduled 0 Retry_Flaky",
      "failed 0",
      `timer 1 ${at(1000)}`,
      "fired 1",
      "scheduled 2 Retry_Flaky",
      "failed 2",
      `timer 3 ${at(1000 + 3000)}`,
      "fired 3",
      "scheduled 4 Retry_Flaky",
      "completed 4",
    ]);
  });

  it("caps the delay at maxRetryIntervalInMilliseconds", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Retry_One", {
      input: { key: randomUUID(), succeedOn: 3, value: "v" },
      options: retryOptions(1000, 5, { backoffCoefficient: 10, maxRetryIntervalInMilliseconds: 4000 }),
    });

    await hub.runUntilIdle();

    expect(hub.events(id, EventType.TimerCreated).map((event) => event.FireAt)).toEqual([at(1000), at(1000 + 4000)]);
    expect(hub.output(id)).toBe("v@3");
  });

  it("fails with the last attempt's error once maxNumberOfAttempts attempts failed, after a last timer as the framework waits", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const key = randomUUID();
    const id = hub.startOrchestration("Retry_One", { input: { key, succeedOn: 99, value: "v" }, options: retryOptions(1000, 3) });

    await hub.runUntilIdle();

    const instance = hub.instance(id);
    expect(instance.status.runtimeStatus).toBe("Failed");
    expect(attempts.get(key)).toBe(3);
    expect(hub.output(id)).toMatch(/^Orchestrator function 'Retry_One' failed: Activity function 'Retry_Flaky' failed: attempt 3 of v failed \n /);
    expect(hub.events(id, EventType.TimerCreated).map((event) => event.FireAt)).toEqual([at(1000), at(2000), at(3000)]);
    expect(instance.status.completedTime).toBe(at(3000));
  });

  it("gives up as soon as retryTimeout has passed, without waiting for or running the remaining attempts", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const key = randomUUID();
    const id = hub.startOrchestration("Retry_One", {
      input: { key, succeedOn: 99, value: "v" },
      options: retryOptions(1000, 6, { retryTimeoutInMilliseconds: 1500 }),
    });

    await hub.runUntilIdle();

    const instance = hub.instance(id);
    // Attempts at 0 and 1000 ms; the failure at 2000 ms is past the timeout: no more timers, no more runs.
    expect(attempts.get(key)).toBe(3);
    expect(instance.status.runtimeStatus).toBe("Failed");
    expect(instance.status.completedTime).toBe(at(2000));
    expect(hub.output(id)).toContain("attempt 3 of v failed");
    expect(hub.timers).toEqual([]);
    // The SDK still had to see the remaining attempts fail; the host recorded them as skipped.
    const skipped = instance.history.filter((event) => event.Synthetic === "retryTimeout");
    expect(skipped.filter((event) => event.EventType === EventType.TaskScheduled).map((event) => event.TaskScheduledId)).toEqual([6, 8, 10]);
    expect(skipped.filter((event) => event.EventType === EventType.TaskFailed)).toHaveLength(3);
    expect(hub.sent.filter((item) => item.to === "workItems")).toHaveLength(3);
  });

  it("numbers concurrent retries and plain tasks in Task.all as the SDK does, with failures and completions in one batch", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const keys = [randomUUID(), randomUUID()];
    const id = hub.startOrchestration("Retry_Concurrent", keys);

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toEqual({ all: ["A@3", "B", "C@2", "D"], after: "E" });
    expect(numbering(hub.instance(id).history)).toEqual([
      "scheduled 0 Retry_Flaky",
      "scheduled 1 Retry_Echo",
      "scheduled 2 Retry_Flaky",
      "scheduled 3 Retry_Echo",
      // One batch: A and C fail (numbering phase: their timers take 4 and 5), B and D complete.
      "failed 0",
      "failed 2",
      "completed 1",
      "completed 3",
      `timer 4 ${at(1000)}`,
      `timer 5 ${at(1000)}`,
      // Both timers fire in one batch: the next attempts take 6 (A) and 7 (C).
      "fired 4",
      "fired 5",
      "scheduled 6 Retry_Flaky",
      "scheduled 7 Retry_Flaky",
      "failed 6",
      "completed 7",
      `timer 8 ${at(2000)}`,
      "fired 8",
      "scheduled 9 Retry_Flaky",
      "completed 9",
      "scheduled 10 Retry_Echo",
      "completed 10",
    ]);
  });

  it("numbers a retry's timer before what the orchestrator yields when the same batch resumes it", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration("Retry_Interleaved", randomUUID());
    await hub.runEpisodes();
    await hub.runWorkItems();
    // The plain task's completion arrives first, the retry's failure after it.
    hub.control.reverse();

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual({ first: "plain", next: "X", late: "R@2" });
    expect(numbering(hub.instance(id).history)).toEqual([
      "scheduled 0 Retry_Flaky",
      "scheduled 1 Retry_Echo",
      // The SDK sees the failure first (it resumes nothing); the orchestrator's next task comes after its timer.
      "failed 0",
      "completed 1",
      `timer 2 ${at(1000)}`,
      "scheduled 3 Retry_Echo",
      "completed 3",
      "fired 2",
      "scheduled 4 Retry_Flaky",
      "completed 4",
    ]);
  });
});
