// One orchestration instance kept in memory and driven episode by episode through the local host's
// OrchestrationRunner: the history each episode replays is exactly what the host would have
// committed to the history table, in the extension's wire format, with no storage in the way.
// Timers and activity work items in the outbox are handed to the caller (or ignored), which keeps
// time and delivery under the benchmark's control.
import { randomUUID } from "node:crypto";
import { EventType } from "../../devhost/dist/protocol/historyEvents.js";

export class InMemoryInstance {
  history = [];
  executionId = randomUUID().replaceAll("-", "");
  /** ContinueAsNew generations this instance has gone through. */
  generations = 0;
  lastResult = undefined;

  constructor(runner, instanceId, startMs = Date.parse("2026-01-05T09:00:00.000Z")) {
    this.runner = runner;
    this.instanceId = instanceId;
    this.nowMs = startMs;
  }

  startMessage(name, input) {
    return {
      kind: "orchestration",
      id: randomUUID(),
      instanceId: this.instanceId,
      event: { EventType: EventType.ExecutionStarted, Name: name, ...(input === undefined ? {} : { Input: JSON.stringify(input) }) },
      newExecutionId: this.executionId,
    };
  }

  eventMessage(name, payload) {
    return {
      kind: "orchestration",
      id: randomUUID(),
      instanceId: this.instanceId,
      event: { EventType: EventType.EventRaised, Name: name, Input: JSON.stringify(payload) },
    };
  }

  /** A reply to something this execution scheduled (an activity's completion, say). */
  replyMessage(event) {
    return { kind: "orchestration", id: randomUUID(), instanceId: this.instanceId, executionId: this.executionId, event };
  }

  async start(name, input) {
    return this.handle([this.startMessage(name, input)]);
  }

  /** The episode as the engine would run it, without committing it: timing it again gives the same replay. */
  dryRun(messages) {
    return this.runner.runEpisode({
      instanceId: this.instanceId,
      executionId: this.executionId,
      history: this.history,
      messages,
      now: new Date(this.nowMs),
    });
  }

  /** Runs and commits one episode; a ContinueAsNew is left to restartIfContinued. */
  async episode(messages) {
    const result = await this.dryRun(messages);
    this.commit(result);
    return result;
  }

  /**
   * After an episode that continued as new: the next execution's first episode, on a fresh history,
   * run at once as the engine runs it (without waiting for its start message to come round the queue).
   */
  async restartIfContinued(result) {
    const restart = result.continuedAsNew && startIn(result.outbox, result.continuedAsNew.newExecutionId);
    if (!restart) return undefined;
    this.history = [];
    this.executionId = result.continuedAsNew.newExecutionId;
    this.generations += 1;
    return this.episode([restart]);
  }

  /** An episode and, if it continued as new, the restart. */
  async handle(messages) {
    const result = await this.episode(messages);
    await this.restartIfContinued(result);
    return result;
  }

  commit(result) {
    for (const stored of result.newEvents) this.history.push(stored.event);
    this.lastResult = result;
  }

  advance(milliseconds) {
    this.nowMs += milliseconds;
  }
}

function startIn(outbox, newExecutionId) {
  for (const outgoing of outbox) {
    if (outgoing.to === "control" && outgoing.message.newExecutionId === newExecutionId) return outgoing.message;
  }
  return undefined;
}
