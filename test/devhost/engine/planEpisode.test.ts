import { describe, expect, it } from "vitest";
import { planEpisode } from "../../../devhost/engine/planEpisode.js";
import type { HeldMessage } from "../../../devhost/engine/HeldMessage.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import type { OrchestrationMessage } from "../../../devhost/protocol/messages.js";
import type { RuntimeStatus } from "../../../devhost/protocol/runtimeStatus.js";
import type { Checkpoint } from "../../../devhost/storage/records.js";

const held = (id: string, message: Partial<OrchestrationMessage>): HeldMessage<OrchestrationMessage> => ({
  message: { kind: "orchestration", id, instanceId: "i", event: { EventType: EventType.EventRaised, Name: "go" }, ...message },
  renew: () => Promise.resolve(),
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
});

const start = (id: string, newExecutionId: string) => held(id, { event: { EventType: EventType.ExecutionStarted, Name: "O" }, newExecutionId });
const event = (id: string) => held(id, {});
const reply = (id: string, executionId: string) => held(id, { executionId, event: { EventType: EventType.TaskCompleted, TaskScheduledId: 0 } });

const checkpoint = (executionId: string, runtimeStatus: RuntimeStatus): Checkpoint => ({
  executionId,
  eventCount: 3,
  carriedMessageIds: [],
  outbox: [],
  instance: { instanceId: "i", name: "O", executionId, runtimeStatus, createdTime: "", lastUpdatedTime: "" },
});

const ids = (messages: readonly HeldMessage<OrchestrationMessage>[]): string[] => messages.map((message) => message.message.id);
function planOf(last: Checkpoint | undefined, ...fresh: HeldMessage<OrchestrationMessage>[]) {
  const plan = planEpisode(last, fresh);
  return { take: ids(plan.take), drop: ids(plan.drop), defer: ids(plan.defer), newExecutionId: plan.newExecutionId };
}

describe("planEpisode", () => {
  it("takes a first start before the events that came with it", () => {
    expect(planOf(undefined, event("e"), start("s", "x1"))).toEqual({ take: ["s", "e"], drop: [], defer: [], newExecutionId: "x1" });
  });

  it("defers events that overtook the instance's start", () => {
    expect(planOf(undefined, event("e"))).toEqual({ take: [], drop: [], defer: ["e"], newExecutionId: undefined });
  });

  it("takes events and this execution's replies while the instance runs, and drops replies for another execution", () => {
    expect(planOf(checkpoint("x1", "Running"), event("e"), reply("mine", "x1"), reply("stale", "x0"))).toEqual({
      take: ["e", "mine"],
      drop: ["stale"],
      defer: [],
      newExecutionId: undefined,
    });
  });

  it("drops a second start while the instance runs", () => {
    expect(planOf(checkpoint("x1", "Running"), start("s", "x2")).drop).toEqual(["s"]);
  });

  it("drops events for a finished instance, and takes a new start of it with the events after", () => {
    expect(planOf(checkpoint("x1", "Completed"), event("late"))).toEqual({ take: [], drop: ["late"], defer: [], newExecutionId: undefined });
    expect(planOf(checkpoint("x1", "Completed"), start("s", "x2"), event("e")).take).toEqual(["s", "e"]);
  });

  it("defers events between a ContinueAsNew and the new execution's start, and takes them with it", () => {
    expect(planOf(checkpoint("x1", "ContinuedAsNew"), event("e")).defer).toEqual(["e"]);
    expect(planOf(checkpoint("x1", "ContinuedAsNew"), event("e"), start("s", "x2"))).toEqual({ take: ["s", "e"], drop: [], defer: [], newExecutionId: "x2" });
  });

  it("drops a start of the execution already running (its queued copy)", () => {
    expect(planOf(checkpoint("x2", "Running"), start("copy", "x2")).drop).toEqual(["copy"]);
  });
});
