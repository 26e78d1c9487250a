import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import type { OrchestrationContext } from "durable-functions";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ActivityRunner } from "../../../devhost/activities/ActivityRunner.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import type { WorkItemMessage } from "../../../devhost/protocol/messages.js";
import { ActivityNames } from "../../../src/names.js";
import { InMemoryTaskHub } from "../support/inMemoryTaskHub.js";
import { RecordingLogger } from "../support/RecordingLogger.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

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
    // A non-Error on purpose: the worker reports such throws differently.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (input === "string") throw "a thrown string";
    if (input === "coded") throw new CodedError("coded failure", "E42");
    throw new Error("activity broke");
  },
});
df.app.activity("Act_BigInt", { handler: () => 1n });

df.app.orchestration("Act_CatchCoded", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity("Act_Throws", "coded");
    return "no failure";
  } catch (error) {
    return error instanceof Error ? { name: error.name, message: error.message.split(" \n ")[0] } : String(error);
  }
});

const app = useRegistryInvoker();
let runner: ActivityRunner;
beforeAll(() => {
  runner = new ActivityRunner(app(), new RecordingLogger());
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

  it("the orchestrator sees an Error with the extension's reason, or a TaskFailedError for a structured failure", async () => {
    const plain = new InMemoryTaskHub(app());
    const plainId = plain.startOrchestration("Act_CatchCoded");
    await plain.runUntilIdle();
    df.app.setExceptionPropertiesProvider({ getExceptionProperties: () => ({ code: "E42" }) });
    const structured = new InMemoryTaskHub(app());
    const structuredId = structured.startOrchestration("Act_CatchCoded");
    await structured.runUntilIdle();

    expect(plain.output(plainId)).toEqual({ name: "Error", message: "Activity function 'Act_Throws' failed: coded failure" });
    expect(structured.output(structuredId)).toEqual({ name: "TaskFailedError", message: "CodedError: coded failure" });
  });
});
