import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ActivityRunner } from "../../../devhost/durable/ActivityRunner.js";
import { EventType } from "../../../devhost/durable/historyEvents.js";
import type { WorkItemMessage } from "../../../devhost/durable/messages.js";
import { ActivityNames } from "../../../src/names.js";
import { RecordingLogger } from "../support/RecordingLogger.js";
import { RegistryInvoker } from "../support/registryInvoker.js";

class CodedError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "CodedError";
  }
}

df.app.activity("Act_Nothing", { handler: () => undefined });
df.app.activity("Act_WhoCalls", { handler: (_input: unknown, context: InvocationContext) => context.triggerMetadata?.instanceId });
df.app.activity("Act_Throws", {
  handler: (input: unknown) => {
    if (input === "string") throw "a thrown string";
    if (input === "coded") throw new CodedError("coded failure", "E42");
    throw new Error("activity broke");
  },
});
df.app.activity("Act_BigInt", { handler: () => 1n });

let runner: ActivityRunner;
beforeAll(async () => {
  runner = new ActivityRunner(await RegistryInvoker.load(), new RecordingLogger());
});

afterEach(() => {
  df.app.setExceptionPropertiesProvider(undefined);
});

function item(name: string, input?: unknown): WorkItemMessage {
  return {
    kind: "activity",
    id: `work-${name}`,
    instanceId: "instance-1",
    executionId: "execution-1",
    taskScheduledId: 4,
    name,
    ...(input === undefined ? {} : { input: JSON.stringify(input) }),
  };
}

describe("ActivityRunner", () => {
  it("completes with the result as JSON, addressed to the task that scheduled it", async () => {
    const message = await runner.run(item(ActivityNames.sayHello, "Tokyo"));

    expect(message).toEqual({
      kind: "orchestration",
      id: "work-E1_SayHello|result",
      instanceId: "instance-1",
      executionId: "execution-1",
      event: { EventType: EventType.TaskCompleted, TaskScheduledId: 4, Result: '"Hello Tokyo!"' },
    });
  });

  it("encodes undefined as null", async () => {
    expect((await runner.run(item("Act_Nothing"))).event.Result).toBe("null");
  });

  it("passes the instance id as trigger metadata, as the extension's binding data does", async () => {
    expect((await runner.run(item("Act_WhoCalls"))).event.Result).toBe('"instance-1"');
  });

  it("fails with the extension's reason and details when the activity throws", async () => {
    const { event } = await runner.run(item("Act_Throws", "plain"));

    expect(event).toMatchObject({ EventType: EventType.TaskFailed, TaskScheduledId: 4, Reason: "Activity function 'Act_Throws' failed: activity broke" });
    expect(JSON.parse(event.Details ?? "{}")).toMatchObject({ ClassName: "System.Exception", Message: "activity broke" });
    expect(event.FailureDetails).toBeUndefined();
  });

  it("reports a thrown non-Error as the worker does", async () => {
    expect((await runner.run(item("Act_Throws", "string"))).event.Reason).toBe("Activity function 'Act_Throws' failed: a thrown string");
  });

  it("adds FailureDetails when an ExceptionPropertiesProvider made the error structured", async () => {
    df.app.setExceptionPropertiesProvider({ getExceptionProperties: (error) => (error instanceof CodedError ? { code: error.code } : undefined) });

    const { event } = await runner.run(item("Act_Throws", "coded"));

    expect(event.Reason).toBe("Activity function 'Act_Throws' failed: coded failure");
    expect(event.FailureDetails).toMatchObject({ ErrorType: "CodedError", ErrorMessage: "coded failure", Properties: { code: "E42" } });
  });

  it("fails the task for a function that is not an activity", async () => {
    const { event } = await runner.run(item("E1_HelloSequence"));

    expect(event).toEqual({
      EventType: EventType.TaskFailed,
      TaskScheduledId: 4,
      Reason: "The function 'E1_HelloSequence' doesn't exist, is disabled, or is not an activity function.",
      Details: "",
    });
  });

  it("fails the task when the result cannot be serialised", async () => {
    const { event } = await runner.run(item("Act_BigInt"));

    expect(event.EventType).toBe(EventType.TaskFailed);
    expect(event.Reason).toMatch(/^Activity function 'Act_BigInt' failed: Do not know how to serialize a BigInt/);
  });
});
