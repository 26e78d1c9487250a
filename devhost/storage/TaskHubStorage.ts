import type { ControlMessage, TimerRecord, WorkItemMessage } from "../durable/messages.js";
import type {
  Checkpoint,
  EntityQuery,
  EntityRecord,
  InstanceQuery,
  InstanceRecord,
  OrchestrationState,
  Page,
  ReceivedMessage,
  StoredHistoryEvent,
} from "./records.js";

export interface TaskHubStorageOptions {
  /** An Azure Storage connection string ("UseDevelopmentStorage=true" for Azurite). */
  connectionString: string;
  /** The task hub's name, from host.json's extensions.durableTask.hubName. */
  taskHubName: string;
  /** Number of control queues (host.json partitionCount, default 4). */
  partitionCount: number;
}

/** SKELETON: implemented by the storage work; signatures are the contract. */
export class TaskHubStorage {
  constructor(readonly options: TaskHubStorageOptions) {}
  createIfNotExists(): Promise<void> { throw new Error("not implemented"); }
  deleteTaskHub(): Promise<void> { throw new Error("not implemented"); }

  getInstance(instanceId: string): Promise<InstanceRecord | undefined> { throw new Error("not implemented"); }
  putInstance(record: InstanceRecord): Promise<void> { throw new Error("not implemented"); }
  queryInstances(query: InstanceQuery): Promise<Page<InstanceRecord>> { throw new Error("not implemented"); }
  purgeInstance(instanceId: string): Promise<boolean> { throw new Error("not implemented"); }

  readOrchestration(instanceId: string): Promise<OrchestrationState> { throw new Error("not implemented"); }
  commitEpisode(instanceId: string, newEvents: StoredHistoryEvent[], checkpoint: Checkpoint): Promise<void> { throw new Error("not implemented"); }
  deleteOtherExecutions(instanceId: string, keepExecutionId: string): Promise<void> { throw new Error("not implemented"); }

  readEntity(instanceId: string): Promise<EntityRecord | undefined> { throw new Error("not implemented"); }
  writeEntity(record: EntityRecord): Promise<boolean> { throw new Error("not implemented"); }
  queryEntities(query: EntityQuery): Promise<Page<EntityRecord>> { throw new Error("not implemented"); }
  deleteEntity(instanceId: string): Promise<boolean> { throw new Error("not implemented"); }

  addTimer(timer: TimerRecord): Promise<void> { throw new Error("not implemented"); }
  dueTimers(now: Date, max: number): Promise<TimerRecord[]> { throw new Error("not implemented"); }
  earliestTimer(): Promise<TimerRecord | undefined> { throw new Error("not implemented"); }
  deleteTimer(timer: TimerRecord): Promise<void> { throw new Error("not implemented"); }

  partitionOf(instanceId: string): number { throw new Error("not implemented"); }
  sendControl(message: ControlMessage, visibilityDelaySeconds?: number): Promise<void> { throw new Error("not implemented"); }
  receiveControl(partition: number, max: number, leaseSeconds: number): Promise<ReceivedMessage<ControlMessage>[]> { throw new Error("not implemented"); }
  sendWorkItem(message: WorkItemMessage): Promise<void> { throw new Error("not implemented"); }
  receiveWorkItems(max: number, leaseSeconds: number): Promise<ReceivedMessage<WorkItemMessage>[]> { throw new Error("not implemented"); }
  renewLease<T extends ControlMessage | WorkItemMessage>(received: ReceivedMessage<T>, leaseSeconds: number): Promise<ReceivedMessage<T>> { throw new Error("not implemented"); }
  deleteMessage(received: ReceivedMessage<ControlMessage | WorkItemMessage>): Promise<void> { throw new Error("not implemented"); }
}
