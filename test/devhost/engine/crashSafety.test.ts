import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { VirtualClock } from "../../../devhost/clock/Clock.js";
import type { EngineParts } from "../../../devhost/engine/EngineParts.js";
import type { HeldMessage } from "../../../devhost/engine/HeldMessage.js";
import { HiddenMessages } from "../../../devhost/engine/HiddenMessages.js";
import { LeasedMessage } from "../../../devhost/engine/LeasedMessage.js";
import { processEntityBatch } from "../../../devhost/engine/processEntityBatch.js";
import { processOrchestrationBatch } from "../../../devhost/engine/processOrchestrationBatch.js";
import { SentOutboxes } from "../../../devhost/engine/SentOutboxes.js";
import { CommittedStates } from "../../../devhost/engine/CommittedStates.js";
import { EntityRunner } from "../../../devhost/entities/EntityRunner.js";
import { OrchestrationRunner } from "../../../devhost/orchestrations/OrchestrationRunner.js";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import type { ControlMessage, EntityOperationMessage, OrchestrationMessage, WorkItemMessage } from "../../../devhost/protocol/messages.js";
import type { Checkpoint, EntityRecord, InstanceRecord, OrchestrationState, ReceivedMessage, StoredHistoryEvent } from "../../../devhost/storage/records.js";
import type { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { RecordingLogger } from "../support/RecordingLogger.js";
import { RegistryInvoker } from "../support/registryInvoker.js";

/**
 * The engine's commit protocol at the moments a crash, a redelivery or a lease renewal can hit it,
 * over an in-memory storage whose sends can be made to fail ("kill -9 here"). Each case once lost
 * or doubled a step.
 */

df.app.activity("Crash_Act", { handler: (input: unknown) => input });
df.app.orchestration("Crash_ActAndEvent", function* (context: OrchestrationContext) {
  const result: unknown = yield context.df.Task.all([context.df.callActivity("Crash_Act", 1), context.df.waitForExternalEvent("go")]);
  return result;
});
df.app.orchestration("Crash_TwoEvents", function* (context: OrchestrationContext) {
  yield context.df.waitForExternalEvent("go");
  yield context.df.waitForExternalEvent("go");
  return "done";
});
df.app.orchestration("Crash_ContinueOnce", function* (context: OrchestrationContext) {
  if (context.df.getInput<number>() === 0) {
    context.df.continueAsNew(1);
    return undefined;
  }
  return (yield context.df.callActivity("Crash_Act", 2)) as number;
});
df.app.entity("Crash_Counter", (context) => {
  const current = Number(context.df.getState() ?? 0);
  context.df.setState(current + 1);
});

/** The storage calls the batch processors make, in memory; `crashOnNextSend` makes the next work-item send throw. */
class MemoryStorage {
  readonly history = new Map<string, OrchestrationState>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly entities = new Map<string, EntityRecord>();
  readonly workItems: WorkItemMessage[] = [];
  crashOnNextSend = false;
  private etags = 0;

  readOrchestration(id: string): Promise<OrchestrationState> {
    return Promise.resolve(structuredClone(this.history.get(id) ?? { events: [] }));
  }
  commitEpisode(id: string, newEvents: StoredHistoryEvent[], checkpoint: Checkpoint): Promise<void> {
    const before = this.history.get(id);
    const kept = before?.checkpoint?.executionId === checkpoint.executionId ? before.events : [];
    this.history.set(id, { checkpoint: structuredClone(checkpoint), events: [...kept, ...structuredClone(newEvents)] });
    return Promise.resolve();
  }
  deleteOtherExecutions(): Promise<void> {
    return Promise.resolve();
  }
  putInstance(record: InstanceRecord): Promise<void> {
    this.instances.set(record.instanceId, record);
    return Promise.resolve();
  }
  getInstance(id: string): Promise<InstanceRecord | undefined> {
    return Promise.resolve(this.instances.get(id));
  }
  sendWorkItems(messages: readonly WorkItemMessage[]): Promise<void> {
    if (this.crashOnNextSend) {
      this.crashOnNextSend = false;
      return Promise.reject(new Error("kill -9 here"));
    }
    this.workItems.push(...messages);
    return Promise.resolve();
  }
  sendControl(): Promise<void> {
    return Promise.resolve();
  }
  addTimer(): Promise<void> {
    return Promise.resolve();
  }
  readEntity(id: string): Promise<EntityRecord | undefined> {
    const record = this.entities.get(id);
    return Promise.resolve(record === undefined ? undefined : structuredClone(record));
  }
  writeEntity(record: EntityRecord): Promise<boolean> {
    record.etag = `etag-${++this.etags}`;
    this.entities.set(record.instanceId, structuredClone(record));
    return Promise.resolve(true);
  }
}

const held = <T extends ControlMessage>(message: T): HeldMessage<T> => ({
  message,
  renew: () => Promise.resolve(),
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
});

const start = (instanceId: string, name: string, input: unknown): OrchestrationMessage => ({
  kind: "orchestration",
  id: randomUUID(),
  instanceId,
  newExecutionId: randomUUID().replaceAll("-", ""),
  event: { EventType: EventType.ExecutionStarted, Name: name, Input: JSON.stringify(input) },
});

const raise = (instanceId: string, name: string): OrchestrationMessage => ({
  kind: "orchestration",
  id: randomUUID(),
  instanceId,
  event: { EventType: EventType.EventRaised, Name: name, Input: "1" },
});

let runners: Pick<EngineParts, "orchestrations" | "entities" | "logger">;
beforeAll(async () => {
  const app = await RegistryInvoker.load();
  const logger = new RecordingLogger();
  runners = { logger, orchestrations: new OrchestrationRunner(app, logger), entities: new EntityRunner(app, logger) };
});

/** A fresh process (nothing remembered as sent or committed) over the given storage. */
function process(storage: MemoryStorage): EngineParts {
  return {
    ...runners,
    storage: storage as unknown as TaskHubStorage,
    clock: new VirtualClock(new Date("2026-01-05T09:00:00Z")),
    sentOutboxes: new SentOutboxes(),
    hiddenMessages: new HiddenMessages(),
    leaseSeconds: 30,
    committedHistories: new CommittedStates(),
    committedEntities: new CommittedStates(),
  };
}

describe("orchestration episodes", () => {
  it("send the last commit's outbox first when a crash cut it short and another message comes before the redelivery", async () => {
    const storage = new MemoryStorage();
    const id = `crash-${randomUUID()}`;
    const first = start(id, "Crash_ActAndEvent", null);
    storage.crashOnNextSend = true;
    await expect(processOrchestrationBatch(process(storage), id, [held(first)])).rejects.toThrow("kill -9 here");
    const restarted = process(storage);
    await processOrchestrationBatch(restarted, id, [held(raise(id, "go"))]);
    await processOrchestrationBatch(restarted, id, [held(first)]); // the redelivery, later
    expect(storage.workItems.filter((item) => item.name === "Crash_Act")).toHaveLength(1);
  });

  it("apply one copy of a message that a batch holds twice", async () => {
    const storage = new MemoryStorage();
    const parts = process(storage);
    const id = `twice-${randomUUID()}`;
    await processOrchestrationBatch(parts, id, [held(start(id, "Crash_TwoEvents", null))]);
    const event = raise(id, "go");
    await processOrchestrationBatch(parts, id, [held(event), held(structuredClone(event))]);
    expect(storage.instances.get(id)?.runtimeStatus).toBe("Running");
  });

  it("ignore the queued copy of a ContinueAsNew start that was already run inline, sending nothing again", async () => {
    const storage = new MemoryStorage();
    const parts = process(storage);
    const id = `can-${randomUUID()}`;
    const next = await processOrchestrationBatch(parts, id, [held(start(id, "Crash_ContinueOnce", 0))]);
    if (next === undefined) throw new Error("The first episode should have continued as new.");
    await processOrchestrationBatch(parts, id, [held(next)]);
    await processOrchestrationBatch(parts, id, [held(structuredClone(next))]);
    expect(storage.workItems).toHaveLength(1);
  });
});

describe("entity batches", () => {
  it("apply one copy of an operation that a batch holds twice", async () => {
    const storage = new MemoryStorage();
    const id = "@crash_counter@k";
    const add: EntityOperationMessage = { kind: "entity", id: randomUUID(), instanceId: id, operation: "add", isSignal: true };
    await processEntityBatch(process(storage), id, [held(add), held(structuredClone(add))]);
    expect(storage.entities.get(id)?.state).toBe("1");
  });
});

describe("leased messages", () => {
  it("delete with the receipt a renewal in flight returns, not the one it replaced", async () => {
    let current = "receipt-1";
    const deleted: string[] = [];
    const queue = {
      renewLease: async (received: ReceivedMessage<ControlMessage>) => {
        current = "receipt-2";
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ...received, popReceipt: "receipt-2" };
      },
      deleteMessage: (received: ReceivedMessage<ControlMessage>) => {
        if (received.popReceipt !== current) return Promise.reject(new Error("PopReceiptMismatch"));
        deleted.push(received.messageId);
        return Promise.resolve();
      },
    };
    const message = new LeasedMessage<ControlMessage>(
      { message: raise("x", "go"), queueName: "q", messageId: "m1", popReceipt: "receipt-1", dequeueCount: 1 },
      queue as unknown as TaskHubStorage,
    );
    const renewing = message.renew(30);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await message.complete();
    await renewing;
    expect(deleted).toEqual(["m1"]);
  });
});
