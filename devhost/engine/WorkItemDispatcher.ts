import type { HostLogger } from "../app/HostLogger.js";
import type { ActivityRunner } from "../activities/ActivityRunner.js";
import type { WorkItemMessage } from "../protocol/messages.js";
import type { ReceivedMessage } from "../storage/records.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import { ConcurrencyLimit } from "./ConcurrencyLimit.js";
import type { HiddenMessages } from "./HiddenMessages.js";
import { LeasedMessage } from "./LeasedMessage.js";
import { QueuePoller } from "./QueuePoller.js";

export interface WorkItemOptions {
  leaseSeconds: number;
  maxPollingIntervalMs: number;
  /** maxConcurrentActivityFunctions */
  maxConcurrentActivities: number;
}

/**
 * Runs activities (and callHttp requests) from the work-item queue, at most maxConcurrentActivities
 * at once, and sends each result to its orchestration. The message is deleted only after the result
 * is sent: a crash in between runs the activity again (at least once, as in Azure), and the second
 * result is dropped by the orchestration because the first is already in its history. A queue
 * message that carries several work items (a fan-out's) is deleted once all of its items' results
 * are sent, and given back if any could not be: its items then all run again, as after a crash.
 */
export class WorkItemDispatcher {
  private readonly poller: QueuePoller;
  private readonly limit: ConcurrencyLimit;
  private readonly held = new Set<LeasedMessage<WorkItemMessage>>();
  /** Work items of the held messages not finished yet (a message may carry several). */
  private itemsHeld = 0;
  private readonly running = new Set<Promise<void>>();
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: TaskHubStorage,
    private readonly activities: ActivityRunner,
    private readonly logger: HostLogger,
    private readonly hiddenMessages: HiddenMessages,
    private readonly options: WorkItemOptions,
  ) {
    this.limit = new ConcurrencyLimit(options.maxConcurrentActivities);
    this.poller = new QueuePoller(() => this.poll(), options.maxPollingIntervalMs, (error) =>
      logger.log("warning", `Reading the work-item queue failed: ${String(error)}`),
    );
  }

  start(): void {
    this.poller.start();
    this.renewTimer = setInterval(() => {
      for (const message of this.held) void message.renew(this.options.leaseSeconds);
    }, (this.options.leaseSeconds * 1000) / 3);
    this.renewTimer.unref();
  }

  wake(): void {
    this.poller.wake();
  }

  get busy(): boolean {
    return this.held.size > 0;
  }

  get queueSeenEmptyAt(): number {
    return this.poller.lastEmptyPollStartedAt;
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await Promise.all(this.running);
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
  }

  private async poll(): Promise<boolean> {
    const free = this.options.maxConcurrentActivities - this.itemsHeld;
    if (free <= 0) return false;
    const received = await this.storage.receiveWorkItems(Math.min(free, 32), this.options.leaseSeconds);
    const byQueueMessage = new Map<string, ReceivedMessage<WorkItemMessage>[]>();
    for (const item of received) byQueueMessage.set(item.messageId, [...(byQueueMessage.get(item.messageId) ?? []), item]);
    for (const items of byQueueMessage.values()) this.hold(items);
    return received.length > 0;
  }

  /** The work items of one queue message, under its one lease. */
  private hold(items: readonly ReceivedMessage<WorkItemMessage>[]): void {
    const [first] = items;
    if (first === undefined) return;
    const held = new LeasedMessage(first, this.storage);
    this.held.add(held);
    this.itemsHeld += items.length;
    const work = Promise.all(items.map((item) => this.limit.run(() => this.execute(item.message)))).then(async (sent) => {
      if (sent.every(Boolean)) {
        await held.complete();
        return;
      }
      this.hiddenMessages.hide(1);
      await held.release(1);
    });
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      this.held.delete(held);
      this.itemsHeld -= items.length;
      this.poller.wake();
    });
  }

  /** Runs one work item and sends its result; false when the result could not be sent. */
  private async execute(message: WorkItemMessage): Promise<boolean> {
    try {
      const result = await this.activities.run(message);
      await this.storage.sendControl(result);
      return true;
    } catch (error) {
      // The runner turns activity errors into TaskFailed; reaching here means storage failed.
      this.logger.log("error", `Work item '${message.name}' of '${message.instanceId}' will be retried: ${String(error)}`);
      return false;
    }
  }
}
