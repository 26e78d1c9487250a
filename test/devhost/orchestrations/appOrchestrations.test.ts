import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EventType } from "../../../devhost/protocol/historyEvents.js";
import type { ApprovalOutcome } from "../../../src/logic/approval.js";
import { ActivityNames, EventNames, OrchestratorNames } from "../../../src/names.js";
import { InMemoryTaskHub, T0 } from "../support/inMemoryTaskHub.js";
import { useRegistryInvoker } from "../support/registryInvoker.js";

/** The app's own orchestrations, activities and entity, run by the runners as the host runs them. */

const HOUR = 60 * 60 * 1000;

const directories: string[] = [];

beforeAll(() => {
  // E2's activities copy to blob storage: the test run's Azurite.
  process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
});
const app = useRegistryInvoker();

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe("the app's orchestrations", () => {
  it("E1_HelloSequence greets each city in turn", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.helloSequence, ["Tokyo", "Seattle", "London"]);

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toEqual(["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    expect(hub.events(id, EventType.TaskScheduled).map((event) => event.Input)).toEqual(['"Tokyo"', '"Seattle"', '"London"']);
    // One episode per activity, plus the start.
    expect(hub.instance(id).episodes).toHaveLength(4);
  });

  it("E1_HelloSequence without input uses the default cities", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.helloSequence);

    await hub.runUntilIdle();

    expect(hub.output(id)).toEqual(["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
  });

  it("E2_BackupSiteContent fans out to batch sub-orchestrations and adds up the bytes", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "devhost-e2-"));
    directories.push(root);
    await mkdir(path.join(root, "css"));
    await writeFile(path.join(root, "index.html"), "<h1>hi</h1>\n");
    await writeFile(path.join(root, "css", "site.css"), "body {}\n");
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.backupSiteContent, root);

    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe("<h1>hi</h1>\n".length + "body {}\n".length);
    expect(hub.events(id, EventType.SubOrchestrationInstanceCreated).length).toBeGreaterThan(0);
  });

  it("Approval: a decision before the deadline is handled and the timer is left to fire into a finished instance", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.approval, { amount: 1250, requester: "ann", approver: "bob" });
    await hub.runUntilIdle({ timers: false });
    expect(JSON.parse(hub.instance(id).status.customStatus ?? "null")).toMatchObject({ stage: "awaiting-decision" });

    hub.advance(2 * HOUR);
    hub.raiseEvent(id, EventNames.approval, { approved: true, by: "bob" });
    await hub.runUntilIdle();

    expect(hub.output(id)).toMatchObject({ status: "approved", decidedBy: "bob", waitedMs: 2 * HOUR } satisfies Partial<ApprovalOutcome>);
    expect(hub.sent.filter((item) => item.to === "workItems").map((item) => item.message.name)).toEqual([
      ActivityNames.requestApproval,
      ActivityNames.handleApproval,
    ]);
  });

  it("Approval: without a decision the timer escalates after the timeout", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.approval, { amount: 10, requester: "ann", timeoutHours: 5 });

    await hub.runUntilIdle();

    expect(hub.output(id)).toMatchObject({ status: "escalated", waitedMs: 5 * HOUR });
    expect(hub.instance(id).status.completedTime).toBe(new Date(T0.getTime() + 5 * HOUR).toISOString());
  });

  it("Approval: a refused decision does not end the wait; a new timer for the same deadline takes the next number", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.approval, { amount: 10, requester: "ann", approver: "bob", timeoutHours: 5 });
    await hub.runUntilIdle({ timers: false });

    hub.raiseEvent(id, EventNames.approval, { approved: true, by: "ann" });
    await hub.runUntilIdle({ timers: false });
    hub.raiseEvent(id, EventNames.approval, { approved: false, by: "bob" });
    await hub.runUntilIdle();

    expect(hub.output(id)).toMatchObject({ status: "rejected", decidedBy: "bob" });
    expect(hub.events(id, EventType.TimerCreated).map((event) => event.TimerId)).toEqual([1, 2]);
  });

  it("E3_Counter applies a burst of operations from one batch, continues as new when quiet, and ends", async () => {
    const hub = new InMemoryTaskHub(app(), T0);
    const id = hub.startOrchestration(OrchestratorNames.counter, 0);
    await hub.runEpisodes();
    for (const op of ["incr", "incr", "decr", "incr"]) hub.raiseEvent(id, EventNames.counterOperation, { op, id: `op-${op}-${Math.random().toString(36).slice(2)}` });

    await hub.runEpisodes();

    expect(JSON.parse(hub.instance(id).status.customStatus ?? "null")).toMatchObject({ value: 2 });
    expect(hub.instance(id).episodes.at(-1)?.droppedMessageIds).toEqual([]);
    // A quiet second: the idle timer wins and the counter continues as new with its value.
    await hub.runUntilIdle();
    expect(hub.instance(id).status.runtimeStatus).toBe("Running");
    expect(hub.instance(id).history.find((event) => event.EventType === EventType.ExecutionStarted)?.Input).toBe("2");

    hub.raiseEvent(id, EventNames.counterOperation, "end");
    await hub.runUntilIdle();

    expect(hub.instance(id).status.runtimeStatus).toBe("Completed");
    expect(hub.output(id)).toBe(2);
  });
});
