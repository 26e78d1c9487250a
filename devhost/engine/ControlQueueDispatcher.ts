import { isEntityInstanceId, type ControlMessage, type EntityOperationMessage, type OrchestrationMessage } from "../protocol/messages.js";
import type { ReceivedMessage } from "../storage/records.js";
import { ConcurrencyLimit } from "./ConcurrencyLimit.js";
import type { EngineParts } from "./EngineParts.js";
import type { HeldMessage } from "./HeldMessage.js";
import { InlineMessage } from "./InlineMessage.js";
import { LeasedMessage } from "./LeasedMessage.js";
import { processEntityBatch } from "./processEntityBatch.js";
import { processOrchestrationBatch } from "./processOrchestrationBatch.js";
import { QueuePoller } from "./QueuePoller.js";

export interface ControlQueueOptions {
  partitionCount: number;
  /** Messages taken from a control queue at once, and the most one episode applies (controlQueueBatchSize). */
  batchSize: number;
  /** false: every episode applies exactly one message (no batch, so no events dropped by ContinueAsNew). */
  batching: boolean;
  leaseSeconds: number;
  maxPollingIntervalMs: number;
  /** maxConcurrentOrchestratorFunctions: episodes and entity batches running at once. */
  maxConcurrentEpisodes: number;
}

interface Mailbox {
  waiting: HeldMessage<ControlMessage>[];
  inFlight: HeldMessage<ControlMessage>[];
  scheduled: boolean;
}

/**
 * Stops taking messages from the queues while this many are waiting in memory: the Durable
 * extension's controlQueueBufferThreshold (default 256, for all control queues together). A message
 * taken is leased, and every lease is renewed every leaseSeconds/3 until its episode runs: with
 * thousands taken ahead of their episodes (a fan-in of 5,000 completions), those renewals were most
 * of the host's requests. Messages not taken yet wait in the queue at no cost.
 */
const MAX_WAITING_MESSAGES = 256;

/**
 * Takes messages from the control queues and runs, per instance, one episode (or entity batch) at
 * a time. Messages that arrive while an instance's episode runs wait for the next one, as in the
 * Azure Storage provider, so an episode applies what accumulated (up to the batch size).
 */
export class ControlQueueDispatcher {
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly pollers: QueuePoller[];
  private readonly episodes: ConcurrencyLimit;
  private waitingCount = 0;
  private stopping = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly parts: EngineParts,
    private readonly options: ControlQueueOptions,
  ) {
    this.episodes = new ConcurrencyLimit(options.maxConcurrentEpisodes);
    this.pollers = Array.from(
      { length: options.partitionCount },
      (_, partition) =>
        new QueuePoller(() => this.poll(partition), options.maxPollingIntervalMs, (error) =>
          parts.logger.log("warning", `Reading control queue ${partition} failed: ${String(error)}`),
        ),
    );
  }

  start(): void {
    for (const poller of this.pollers) poller.start();
    this.renewTimer = setInterval(() => void this.renewLeases(), (this.options.leaseSeconds * 1000) / 3);
    this.renewTimer.unref();
  }

  wake(partition: number | undefined): void {
    if (partition === undefined) for (const poller of this.pollers) poller.wake();
    else this.pollers[partition]?.wake();
  }

  /** True while any message is held or any episode runs. */
  get busy(): boolean {
    return this.mailboxes.size > 0;
  }

  /** When every control queue was last seen empty (the oldest of their latest empty polls). */
  get allQueuesSeenEmptyAt(): number {
    return Math.min(...this.pollers.map((poller) => poller.lastEmptyPollStartedAt));
  }

  /** Stops taking messages, lets running episodes finish and hands the rest back to the queues. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    const unstarted = [...this.mailboxes.values()].flatMap((mailbox) => mailbox.waiting.splice(0));
    await Promise.all(unstarted.map((held) => held.release()));
    // Episodes still running keep their leases renewed until they end.
    while (this.running.size > 0) await Promise.all(this.running);
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
  }

  private async poll(partition: number): Promise<boolean> {
    if (this.waitingCount >= MAX_WAITING_MESSAGES) return false;
    const received = await this.parts.storage.receiveControl(partition, this.options.batchSize, this.options.leaseSeconds);
    for (const message of received) this.accept(message);
    return received.length > 0;
  }

  private accept(received: ReceivedMessage<ControlMessage>): void {
    const instanceId = received.message.instanceId;
    let mailbox = this.mailboxes.get(instanceId);
    if (mailbox === undefined) {
      mailbox = { waiting: [], inFlight: [], scheduled: false };
      this.mailboxes.set(instanceId, mailbox);
    }
    const known = [...mailbox.waiting, ...mailbox.inFlight].find(
      (held) => held instanceof LeasedMessage && held.queueMessageId === received.messageId,
    ) as LeasedMessage<ControlMessage> | undefined;
    if (known !== undefined) {
      known.redelivered(received);
      return;
    }
    mailbox.waiting.push(new LeasedMessage(received, this.parts.storage));
    this.waitingCount += 1;
    this.schedule(instanceId, mailbox);
  }

  private schedule(instanceId: string, mailbox: Mailbox): void {
    if (mailbox.scheduled || mailbox.waiting.length === 0) return;
    if (this.stopping) {
      // Not started now: back to the queue for the next start (an inline start was also sent there).
      void Promise.all(mailbox.waiting.splice(0).map((held) => held.release()));
      return;
    }
    mailbox.scheduled = true;
    const work = this.episodes.run(() => this.runNext(instanceId, mailbox));
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      mailbox.scheduled = false;
      if (mailbox.waiting.length > 0) this.schedule(instanceId, mailbox);
      else if (mailbox.inFlight.length === 0) this.mailboxes.delete(instanceId);
    });
  }

  private async runNext(instanceId: string, mailbox: Mailbox): Promise<void> {
    const size = this.options.batching ? this.options.batchSize : 1;
    const batch = mailbox.waiting.splice(0, size);
    const wasFull = this.waitingCount >= MAX_WAITING_MESSAGES;
    this.waitingCount -= batch.length;
    // The pollers stopped taking messages (and backed off) while the limit was reached: room again.
    if (wasFull && this.waitingCount < MAX_WAITING_MESSAGES) this.wake(undefined);
    mailbox.inFlight = batch;
    try {
      if (isEntityInstanceId(instanceId)) {
        await processEntityBatch(this.parts, instanceId, batch as HeldMessage<EntityOperationMessage>[]);
      } else {
        const nextStart = await processOrchestrationBatch(this.parts, instanceId, batch as HeldMessage<OrchestrationMessage>[]);
        // Events that arrived meanwhile go to the new execution in the next episode, with its start.
        if (nextStart !== undefined) {
          mailbox.waiting.unshift(new InlineMessage(nextStart));
          this.waitingCount += 1;
        }
      }
    } catch (error) {
      this.parts.logger.log("error", `Processing '${instanceId}' failed; its messages will be retried. ${describe(error)}`);
      this.parts.hiddenMessages.hide(1);
      await Promise.all(batch.map((held) => held.release(1)));
    } finally {
      mailbox.inFlight = [];
    }
  }

  private async renewLeases(): Promise<void> {
    const held = [...this.mailboxes.values()].flatMap((mailbox) => [...mailbox.waiting, ...mailbox.inFlight]);
    await Promise.all(held.map((message) => message.renew(this.options.leaseSeconds)));
  }
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));
