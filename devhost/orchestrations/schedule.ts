import { deterministicGuid } from "./deterministicGuid.js";
import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { EpisodeWork } from "./EpisodeWork.js";
import { EventType } from "../protocol/historyEvents.js";
import { longTimer } from "./longTimer.js";
import { messageIds } from "../protocol/messageIds.js";
import { scheduledEvent } from "./scheduledEvent.js";
import type { SlotMeta } from "./SlotMeta.js";

/** Given when the event goes among the episode's new events, at this arrival (see EpisodeWork.record). */
interface Inline {
  arrival: number;
}

/**
 * Records a sequence number the episode took and sends the work behind it. Attempts a retry timeout
 * skipped are recorded only (meta.synthetic): nothing runs them.
 */
export const schedule = {
  activity(work: EpisodeWork, sequence: number, name: string, input: string | undefined, meta: SlotMeta, inline?: Inline): void {
    work.record(scheduledEvent.activity(sequence, name, input, meta), inline);
    if (meta.synthetic !== true) work.sendWorkItem("activity", sequence, name, input);
  },

  /** An HTTP request; `send` is false for a poll request, which goes out when its timer fires. */
  http(work: EpisodeWork, sequence: number, request: DurableHttpRequest, meta: SlotMeta, send: boolean): void {
    work.record(scheduledEvent.http(sequence, request, meta));
    if (send) schedule.sendHttp(work, sequence, request);
  },

  sendHttp(work: EpisodeWork, sequence: number, request: DurableHttpRequest): void {
    work.sendWorkItem("http", sequence, `${request.method} ${request.uri}`, JSON.stringify(request));
  },

  subOrchestration(
    work: EpisodeWork,
    sequence: number,
    call: { name: string; instanceId: string; input: string | undefined; version: string | undefined },
    meta: SlotMeta,
    inline?: Inline,
  ): void {
    work.record(scheduledEvent.subOrchestration(sequence, call.name, call.instanceId, call.input, call.version, meta), inline);
    if (meta.synthetic === true) return;
    work.send({
      to: "control",
      message: {
        kind: "orchestration",
        id: messageIds.subOrchestration(work.instanceId, work.executionId, sequence),
        instanceId: call.instanceId,
        event: {
          EventType: EventType.ExecutionStarted,
          Name: call.name,
          ...(call.input === undefined ? {} : { Input: call.input }),
          ...(call.version === undefined ? {} : { Version: call.version }),
          ParentInstanceId: work.instanceId,
        },
        newExecutionId: deterministicGuid(work.instanceId, work.executionId, sequence, "execution").replaceAll("-", ""),
        parent: { instanceId: work.instanceId, executionId: work.executionId, taskScheduledId: sequence },
      },
    });
  },

  /**
   * The first timer of a timer task that ends at finalFireAt: the whole wait, or for a long wait the
   * first link of the chain the SDK builds (it records the chain's end on that first timer).
   */
  timerTask(work: EpisodeWork, sequence: number, finalFireAt: Date, meta: SlotMeta): void {
    const long = longTimer.isLong(finalFireAt, work.now);
    schedule.timer(work, sequence, longTimer.nextFireAt(finalFireAt, work.now), long ? { ...meta, finalFireAt } : meta);
  },

  timer(work: EpisodeWork, sequence: number, fireAt: Date, meta: SlotMeta, inline?: Inline): void {
    work.record(scheduledEvent.timer(sequence, fireAt, meta), inline);
    if (meta.synthetic === true) return;
    work.send({
      to: "timers",
      timer: {
        fireAt: fireAt.toISOString(),
        message: {
          kind: "orchestration",
          id: messageIds.timer(work.instanceId, work.executionId, sequence),
          instanceId: work.instanceId,
          executionId: work.executionId,
          event: { EventType: EventType.TimerFired, TimerId: sequence, FireAt: fireAt.toISOString() },
        },
      },
    });
  },

  entity(
    work: EpisodeWork,
    sequence: number,
    operation: { target: string; name: string; input: string | undefined; isSignal: boolean },
    meta: SlotMeta,
  ): void {
    const requestId = deterministicGuid(work.instanceId, work.executionId, sequence, "request");
    work.record(
      scheduledEvent.entity(
        sequence,
        operation.target,
        {
          id: requestId,
          op: operation.name,
          signal: operation.isSignal,
          ...(operation.input === undefined ? {} : { input: operation.input }),
          parent: work.instanceId,
          parentExecution: work.executionId,
        },
        meta,
      ),
    );
    work.send({
      to: "control",
      message: {
        kind: "entity",
        id: messageIds.entityOperation(work.instanceId, work.executionId, sequence),
        instanceId: operation.target,
        operation: operation.name,
        ...(operation.input === undefined ? {} : { input: operation.input }),
        isSignal: operation.isSignal,
        ...(operation.isSignal ? {} : { requestId, caller: { instanceId: work.instanceId, executionId: work.executionId } }),
      },
    });
  },
};
