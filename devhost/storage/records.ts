import type { HistoryEvent } from "../protocol/historyEvents.js";
import type { ControlMessage, OutgoingMessage, WorkItemMessage } from "../protocol/messages.js";
import type { RuntimeStatus } from "../protocol/runtimeStatus.js";

/** An orchestration instance's row: what status queries and listings read. Inputs and outputs are JSON text. */
export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  input?: string;
  output?: string;
  customStatus?: string;
  /** ISO 8601 */
  createdTime: string;
  lastUpdatedTime: string;
  completedTime?: string;
  parentInstanceId?: string;
}

/** A history event as stored: the event, and the id of the message that brought it (for de-duplication). */
export interface StoredHistoryEvent {
  event: HistoryEvent;
  messageId?: string;
}

/**
 * The commit point of an orchestration episode, written after its history events. Events at
 * positions past eventCount, or of another execution, are leftovers of a commit a crash interrupted
 * and are ignored. The new events of a commit take the last positions before eventCount.
 */
export interface Checkpoint {
  executionId: string;
  eventCount: number;
  /**
   * Ids of messages taken by the previous execution's last episode (consumed, or dropped by its
   * ContinueAsNew): a redelivery of one of them must not reach the new execution.
   */
  carriedMessageIds: string[];
  /** Epoch milliseconds after which carriedMessageIds are no longer needed (no redelivery can come that late). */
  carriedMessageIdsUntil?: number;
  /** What the last episode sends; sent again when a redelivery shows the sending may not have finished. */
  outbox: OutgoingMessage[];
  /** The instance row as the last episode left it, written again on recovery. */
  instance: InstanceRecord;
}

export interface OrchestrationState {
  checkpoint?: Checkpoint;
  /** The events of checkpoint.executionId, in history order, with the ids of the messages that brought them. */
  events: StoredHistoryEvent[];
}

/** An entity's row: its state and the bookkeeping that makes each operation apply once. */
export interface EntityRecord {
  instanceId: string;
  name: string;
  key: string;
  exists: boolean;
  /** JSON text */
  state?: string;
  /** Ids of the latest messages applied (bounded), to drop redeliveries. */
  processedMessageIds: string[];
  /** What the last batch sends; sent again on recovery. */
  outbox: OutgoingMessage[];
  lastModifiedTime: string;
  /** Optimistic concurrency: the row's ETag as read. */
  etag?: string;
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  /** Page size; the storage may return fewer. */
  top?: number;
  continuationToken?: string;
}

export interface EntityQuery {
  /** The entity name (any case). */
  name?: string;
  lastModifiedFrom?: string;
  lastModifiedTo?: string;
  top?: number;
  continuationToken?: string;
}

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

/** A message taken from a queue: it stays invisible to others until renewed or deleted, or its lease ends. */
export interface ReceivedMessage<T extends ControlMessage | WorkItemMessage> {
  message: T;
  queueName: string;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  /** For a body too large for a queue message: the blob holding it, deleted with the message. */
  payloadBlobName?: string;
}
