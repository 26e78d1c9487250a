import { EventType, type NewHistoryEvent } from "../protocol/historyEvents.js";
import { HTTP_ACTIVITY_NAME } from "./httpActivityName.js";
import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { SlotMeta } from "./SlotMeta.js";

/**
 * The events that record a sequence number, with the extension's fields and the host's extra ones
 * (see SlotMeta). OrchestrationLedger reads them back.
 */
export const scheduledEvent = {
  activity: (sequence: number, name: string, input: string | undefined, meta: SlotMeta): NewHistoryEvent => ({
    EventType: EventType.TaskScheduled,
    Name: name,
    ...(input === undefined ? {} : { Input: input }),
    TaskScheduledId: sequence,
    ...metaFields(meta),
  }),

  http: (sequence: number, request: DurableHttpRequest, meta: SlotMeta): NewHistoryEvent => ({
    EventType: EventType.TaskScheduled,
    Name: HTTP_ACTIVITY_NAME,
    Input: JSON.stringify(request),
    TaskScheduledId: sequence,
    ...metaFields(meta),
  }),

  subOrchestration: (
    sequence: number,
    name: string,
    instanceId: string,
    input: string | undefined,
    version: string | undefined,
    meta: SlotMeta,
  ): NewHistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCreated,
    Name: name,
    InstanceId: instanceId,
    ...(input === undefined ? {} : { Input: input }),
    ...(version === undefined ? {} : { Version: version }),
    TaskScheduledId: sequence,
    ...metaFields(meta),
  }),

  timer: (sequence: number, fireAt: Date, meta: SlotMeta): NewHistoryEvent => ({
    EventType: EventType.TimerCreated,
    FireAt: fireAt.toISOString(),
    TimerId: sequence,
    ...metaFields(meta),
  }),

  /** An entity call or signal: Input is the request message; the SDK reads its `id` to match the response. */
  entity: (sequence: number, target: string, request: EntityRequestRecord, meta: SlotMeta): NewHistoryEvent => ({
    EventType: EventType.EventSent,
    InstanceId: target,
    Name: "op",
    Input: JSON.stringify(request),
    TaskScheduledId: sequence,
    ...metaFields(meta),
  }),
};

/** The request message as the extension records it in EventSent (its RequestMessage's JSON names). */
interface EntityRequestRecord {
  id: string;
  op: string;
  signal: boolean;
  input?: string;
  parent: string;
  parentExecution: string;
}

function metaFields(meta: SlotMeta): Record<string, unknown> {
  return {
    Origin: meta.origin,
    ...(meta.group === undefined ? {} : { GroupId: meta.group }),
    ...(meta.actionType === undefined ? {} : { ActionType: meta.actionType }),
    ...(meta.target === undefined ? {} : { Target: meta.target }),
    ...(meta.retryOptions === undefined ? {} : { RetryOptions: meta.retryOptions }),
    ...(meta.finalFireAt === undefined ? {} : { FinalFireAt: meta.finalFireAt.toISOString() }),
    ...(meta.synthetic === true ? { Synthetic: "retryTimeout" } : {}),
  };
}
