import type { FunctionApp } from "../app/FunctionApp.js";
import type { HostLogger } from "../app/HostLogger.js";
import type { Clock } from "../clock/Clock.js";
import { ActivityRunner } from "../activities/ActivityRunner.js";
import { EntityRunner } from "../entities/EntityRunner.js";
import { OrchestrationRunner } from "../orchestrations/OrchestrationRunner.js";
import type { EntityRecord, OrchestrationState } from "../storage/records.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import { CommittedStates } from "./CommittedStates.js";
import { ControlQueueDispatcher } from "./ControlQueueDispatcher.js";
import type { EngineParts } from "./EngineParts.js";
import { HiddenMessages } from "./HiddenMessages.js";
import { SentOutboxes } from "./SentOutboxes.js";
import { TimerDispatcher } from "./TimerDispatcher.js";
import { WorkItemDispatcher } from "./WorkItemDispatcher.js";

export interface EngineOptions {
  partitionCount: number;
  controlQueueBatchSize: number;
  /** false applies one control message per episode (see ControlQueueOptions.batching). */
  batching: boolean;
  /** How long a taken message stays hidden from other readers; renewed while held, so it bounds only the redelivery delay after a crash. */
  leaseSeconds: number;
  maxPollingIntervalMs: number;
  maxConcurrentOrchestratorFunctions: number;
  maxConcurrentActivityFunctions: number;
  autoSkip: boolean;
}

/** The host is idle once nothing has happened for this long and every queue was seen empty since. */
const SETTLE_MS = 50;

/**
 * The durable engine: the control-queue dispatcher (orchestration episodes and entity batches), the
 * work-item dispatcher (activities) and the timer dispatcher, over one task hub's storage.
 */
export class Engine {
  private readonly control: ControlQueueDispatcher;
  private readonly workItems: WorkItemDispatcher;
  private readonly timers: TimerDispatcher;
  private lastActivityAt = Date.now();
  private readonly hiddenMessages = new HiddenMessages();

  constructor(storage: TaskHubStorage, app: FunctionApp, clock: Clock, logger: HostLogger, options: EngineOptions) {
    const committedHistories = new CommittedStates<OrchestrationState>();
    const committedEntities = new CommittedStates<EntityRecord>();
    storage.onInstanceDeleted((instanceId) => {
      committedHistories.forget(instanceId);
      committedEntities.forget(instanceId);
    });
    const parts: EngineParts = {
      storage,
      clock,
      logger,
      orchestrations: new OrchestrationRunner(app, logger),
      entities: new EntityRunner(app, logger),
      sentOutboxes: new SentOutboxes(),
      hiddenMessages: this.hiddenMessages,
      leaseSeconds: options.leaseSeconds,
      committedHistories,
      committedEntities,
    };
    this.control = new ControlQueueDispatcher(parts, {
      partitionCount: options.partitionCount,
      batchSize: options.controlQueueBatchSize,
      batching: options.batching,
      leaseSeconds: options.leaseSeconds,
      maxPollingIntervalMs: options.maxPollingIntervalMs,
      maxConcurrentEpisodes: options.maxConcurrentOrchestratorFunctions,
    });
    this.workItems = new WorkItemDispatcher(storage, new ActivityRunner(app, logger), logger, this.hiddenMessages, {
      leaseSeconds: options.leaseSeconds,
      maxPollingIntervalMs: options.maxPollingIntervalMs,
      maxConcurrentActivities: options.maxConcurrentActivityFunctions,
    });
    this.timers = new TimerDispatcher(storage, clock, logger, {
      pollIntervalMs: Math.min(options.maxPollingIntervalMs, 250),
      autoSkip: options.autoSkip,
      isIdle: () => this.isIdle(),
    });
    storage.onMessageSent((queue, partition) => {
      this.lastActivityAt = Date.now();
      if (queue === "control") this.control.wake(partition);
      else this.workItems.wake();
    });
  }

  start(): void {
    this.control.start();
    this.workItems.start();
    this.timers.start();
  }

  async stop(): Promise<void> {
    await this.timers.stop();
    await Promise.all([this.control.stop(), this.workItems.stop()]);
  }

  /** Nothing held, nothing running, nothing put back for later, and every queue seen empty since the last message was sent. */
  isIdle(): boolean {
    if (this.control.busy || this.workItems.busy || this.hiddenMessages.any) return false;
    const seenEmptyAt = Math.min(this.control.allQueuesSeenEmptyAt, this.workItems.queueSeenEmptyAt);
    return seenEmptyAt > this.lastActivityAt && Date.now() - this.lastActivityAt >= SETTLE_MS;
  }
}
