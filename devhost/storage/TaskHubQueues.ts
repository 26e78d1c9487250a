import type { QueueClient } from "@azure/storage-queue";
import type { ControlMessage, WorkItemMessage } from "../protocol/messages.js";
import { checkCount } from "./checkCount.js";
import { hasStatus } from "./hasStatus.js";
import { LargePayloads } from "./LargePayloads.js";
import { messageShapes } from "./messageShapes.js";
import type { ReceivedMessage } from "./records.js";

/**
 * The task hub's queues: control queues (one per partition, each instance's messages in one of
 * them) and the work-item queue. Messages are JSON text; a body too large for a queue message goes
 * to a blob and the message names it. A received message is leased until renewed or deleted.
 */

/** A queue message body that stands for a blob is {"$payloadBlob": name}; no message has that field. */
const PAYLOAD_BLOB_FIELD = "$payloadBlob";
/**
 * A work-item queue message that carries several work items is {"$workItems": [...]}: a fan-out's
 * items go in as few queue messages as fit, not one request (and one message waiting) per item.
 */
const WORK_ITEMS_FIELD = "$workItems";
const MAX_RECEIVE_COUNT = 32;
const MAX_VISIBILITY_SECONDS = 7 * 24 * 60 * 60;

export type MessageSentListener = (queue: "control" | "workItems", partition: number | undefined) => void;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A message's queue body. JSON.stringify escapes control characters and lone surrogates; U+FFFE and
 * U+FFFF, which XML (the queue protocol) cannot carry, it leaves raw: escape them too, which
 * JSON.parse undoes.
 */
function encodeBody(message: ControlMessage | WorkItemMessage): string {
  return JSON.stringify(message).replace(/[\ufffe\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16)}`);
}

/** Bodies made by encodeBody, as one work-item queue message; a body alone is sent as itself. */
function bundleBody(bodies: readonly string[]): string {
  const [only, ...more] = bodies;
  return only !== undefined && more.length === 0 ? only : `{"${WORK_ITEMS_FIELD}":[${bodies.join(",")}]}`;
}

/** `{"$workItems":[` and `]}`: what a bundle adds to its items and their commas. */
const BUNDLE_WRAPPER_BYTES = `{"${WORK_ITEMS_FIELD}":[]}`.length;

const isWorkItemBundle = (value: unknown): value is { [WORK_ITEMS_FIELD]: unknown[] } =>
  typeof value === "object" && value !== null && Array.isArray((value as Record<string, unknown>)[WORK_ITEMS_FIELD]);

export class TaskHubQueues {
  private readonly queuesByName: ReadonlyMap<string, QueueClient>;
  private readonly sentListeners: MessageSentListener[] = [];

  constructor(
    private readonly controlQueues: readonly QueueClient[],
    private readonly workItemQueue: QueueClient,
    private readonly payloads: LargePayloads,
    private readonly taskHubName: string,
  ) {
    this.queuesByName = new Map([...controlQueues, workItemQueue].map((queue) => [queue.name, queue]));
  }

  /** The control queue of an instance: FNV-1a of its id, so every process agrees. */
  partitionOf(instanceId: string): number {
    let hash = 0x811c9dc5;
    for (let index = 0; index < instanceId.length; index++) {
      hash ^= instanceId.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % this.controlQueues.length;
  }

  async sendControl(message: ControlMessage, visibilityDelaySeconds?: number): Promise<void> {
    const partition = this.partitionOf(message.instanceId);
    await this.send(this.controlQueue(partition), message.instanceId, message, visibilityDelaySeconds);
    this.notifySent("control", partition);
  }

  async receiveControl(partition: number, max: number, leaseSeconds: number): Promise<ReceivedMessage<ControlMessage>[]> {
    return this.receive(this.controlQueue(partition), max, leaseSeconds, messageShapes.isControlMessage);
  }

  /**
   * Several work items, as few queue messages as their size allows (one alone goes as itself). The
   * items of one queue message share its lease: the receiver deletes it once all of them are done.
   */
  async sendWorkItems(messages: readonly WorkItemMessage[]): Promise<void> {
    // Sizes are added up as items join a bundle: measuring the whole bundle again at each item
    // would be quadratic in a fan-out's size.
    const bundles: { bodies: string[]; bytes: number }[] = [];
    const alone: WorkItemMessage[] = [];
    for (const message of messages) {
      const body = encodeBody(message);
      const bytes = Buffer.byteLength(body, "utf8");
      const current = bundles.at(-1);
      // +1 for the comma between two items.
      if (current !== undefined && LargePayloads.fitsQueueBytes(current.bytes + 1 + bytes)) {
        current.bodies.push(body);
        current.bytes += 1 + bytes;
      } else if (LargePayloads.fitsQueueBytes(BUNDLE_WRAPPER_BYTES + bytes)) {
        bundles.push({ bodies: [body], bytes: BUNDLE_WRAPPER_BYTES + bytes });
      } else {
        alone.push(message);
      }
    }
    await Promise.all([
      ...bundles.map(({ bodies }) => this.sendBody(this.workItemQueue, bundleBody(bodies))),
      ...alone.map((message) => this.send(this.workItemQueue, message.instanceId, message)),
    ]);
    if (messages.length > 0) this.notifySent("workItems", undefined);
  }

  /** Each work item with its queue message's lease: items that came in one message share it (same messageId). */
  async receiveWorkItems(max: number, leaseSeconds: number): Promise<ReceivedMessage<WorkItemMessage>[]> {
    return this.receive(this.workItemQueue, max, leaseSeconds, messageShapes.isWorkItemMessage);
  }

  async renewLease<T extends ControlMessage | WorkItemMessage>(received: ReceivedMessage<T>, leaseSeconds: number): Promise<ReceivedMessage<T>> {
    // 0 gives the message back at once (a release at shutdown); the queue allows it here, unlike on receive.
    checkCount(leaseSeconds, "leaseSeconds", MAX_VISIBILITY_SECONDS, 0);
    // No message text: only the visibility changes.
    const response = await this.queueNamed(received.queueName).updateMessage(received.messageId, received.popReceipt, undefined, leaseSeconds);
    if (response.popReceipt === undefined) throw new Error(`Renewing the lease of message ${received.messageId} returned no pop receipt.`);
    return { ...received, popReceipt: response.popReceipt };
  }

  async deleteMessage(received: Omit<ReceivedMessage<ControlMessage | WorkItemMessage>, "message">): Promise<void> {
    try {
      await this.queueNamed(received.queueName).deleteMessage(received.messageId, received.popReceipt);
    } catch (error) {
      // 404: deleted already. Anything else (a 400 pop receipt mismatch: the lease ended and someone
      // else holds the message) leaves the message, and its blob, in place.
      if (!hasStatus(error, 404)) throw error;
    }
    if (received.payloadBlobName !== undefined) await this.payloads.delete([received.payloadBlobName]);
  }

  onMessageSent(listener: MessageSentListener): void {
    this.sentListeners.push(listener);
  }

  private controlQueue(partition: number): QueueClient {
    const queue = this.controlQueues[partition];
    if (queue === undefined) throw new RangeError(`No control queue ${partition}: the task hub has ${this.controlQueues.length}.`);
    return queue;
  }

  private queueNamed(name: string): QueueClient {
    const queue = this.queuesByName.get(name);
    if (queue === undefined) throw new Error(`The queue "${name}" is not one of task hub ${this.taskHubName}'s.`);
    return queue;
  }

  private async send(queue: QueueClient, instanceId: string, message: ControlMessage | WorkItemMessage, visibilityDelaySeconds?: number): Promise<void> {
    let body = encodeBody(message);
    if (!LargePayloads.fitsQueue(body)) {
      const name = LargePayloads.uniqueName(instanceId, "Message", body);
      await this.payloads.upload(name, body);
      body = JSON.stringify({ [PAYLOAD_BLOB_FIELD]: name });
    }
    let visibilityTimeout: number | undefined;
    if (visibilityDelaySeconds !== undefined && visibilityDelaySeconds > 0) {
      visibilityTimeout = Math.ceil(visibilityDelaySeconds);
      if (visibilityTimeout > MAX_VISIBILITY_SECONDS) throw new RangeError(`A queue message can be delayed by at most 7 days, not ${visibilityDelaySeconds} s.`);
    }
    await this.sendBody(queue, body, visibilityTimeout);
  }

  private async sendBody(queue: QueueClient, body: string, visibilityTimeout?: number): Promise<void> {
    // Durable messages must not expire (the default time to live is 7 days).
    await queue.sendMessage(body, { messageTimeToLive: -1, ...(visibilityTimeout !== undefined && { visibilityTimeout }) });
  }

  /** Listeners must not throw: a send that succeeded must not fail in the caller. */
  private notifySent(queue: "control" | "workItems", partition: number | undefined): void {
    for (const listener of this.sentListeners) listener(queue, partition);
  }

  private async receive<T extends ControlMessage | WorkItemMessage>(
    queue: QueueClient,
    max: number,
    leaseSeconds: number,
    isValid: (value: unknown) => value is T,
  ): Promise<ReceivedMessage<T>[]> {
    checkCount(max, "max", MAX_RECEIVE_COUNT);
    checkCount(leaseSeconds, "leaseSeconds", MAX_VISIBILITY_SECONDS);
    const response = await queue.receiveMessages({ numberOfMessages: max, visibilityTimeout: leaseSeconds });
    const received = await Promise.all(
      response.receivedMessageItems.map(async (item): Promise<ReceivedMessage<T>[]> => {
        const { message, payloadBlobName } = await this.decode(item.messageText);
        const lease = {
          queueName: queue.name,
          messageId: item.messageId,
          popReceipt: item.popReceipt,
          dequeueCount: item.dequeueCount,
          ...(payloadBlobName !== undefined && { payloadBlobName }),
        };
        const items = queue === this.workItemQueue && isWorkItemBundle(message) ? message[WORK_ITEMS_FIELD] : [message];
        if (items.length > 0 && items.every(isValid)) return items.map((item) => ({ message: item, ...lease }));
        // Not a message of this task hub's (or its blob is gone): it would come back forever.
        await this.deleteMessage(lease);
        return [];
      }),
    );
    return received.flat();
  }

  /** The message a body holds (undefined when it is not JSON), reading it from its blob when it stands for one. */
  private async decode(body: string): Promise<{ message: unknown; payloadBlobName?: string }> {
    const parsed = parseJson(body);
    if (typeof parsed !== "object" || parsed === null || !(PAYLOAD_BLOB_FIELD in parsed)) return { message: parsed };
    const payloadBlobName = parsed[PAYLOAD_BLOB_FIELD];
    if (typeof payloadBlobName !== "string") return { message: undefined };
    const text = await this.payloads.download(payloadBlobName);
    return { message: text === undefined ? undefined : parseJson(text), payloadBlobName };
  }
}
