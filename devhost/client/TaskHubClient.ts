import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/Clock.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import type { EntityQuery, EntityRecord, InstanceQuery, InstanceRecord, Page } from "../storage/records.js";
import { checkedInstanceId } from "./checkedInstanceId.js";
import { ClientError } from "./ClientError.js";
import { hasInvalidCharacter } from "./hasInvalidCharacter.js";
import { EventType, type HistoryEvent, type NewHistoryEvent } from "../protocol/historyEvents.js";
import { entityInstanceId } from "../protocol/messages.js";
import { registeredFunctionName } from "./registeredFunctionName.js";
import { isFinished, type RuntimeStatus } from "../protocol/runtimeStatus.js";

export interface TaskHubClientOptions {
  storage: TaskHubStorage;
  /** Stamps createdTime on starts, and bounds entity listings ("last operation up to now"). */
  clock: Clock;
  /** The app's orchestrator functions: a start of any other name is refused, as the extension refuses it. */
  orchestratorNames(): ReadonlySet<string>;
  /** The app's entity functions: a signal to any other name is refused. */
  entityNames(): ReadonlySet<string>;
}

export interface StartOptions {
  /** Absent or empty: a new id, 32 hex digits like the extension's. */
  instanceId?: string | undefined;
  /** JSON text; absent for no input. */
  input?: string | undefined;
}

export interface PurgeFilter {
  /** ISO 8601 */
  createdTimeFrom: string;
  /** ISO 8601; now (by the host's clock) when absent. */
  createdTimeTo?: string | undefined;
  runtimeStatus?: readonly RuntimeStatus[] | undefined;
}

/** How many instances a purge by filter deletes at once. */
const PURGE_BATCH = 50;

/** How long a listing keeps reading when whole pages hold only deleted entities (the extension's bound). */
const EMPTY_ENTITY_PAGES_MS = 100;

/** The extension's ids (instance and execution) are GUIDs in the "N" format: 32 hex digits, no dashes. */
const newGuid = (): string => randomUUID().replaceAll("-", "");

/**
 * The durable client's operations over the task hub's storage, with the Durable extension's rules
 * (DurableClient.cs): each reads the instance, decides, and writes a row or sends a control-queue
 * message for the engine. Like the Azure Storage provider, nothing here is atomic: a start reads the
 * instance and then writes, so two concurrent starts of one id can both be accepted.
 */
export class TaskHubClient {
  constructor(private readonly options: TaskHubClientOptions) {}

  async startNew(name: string, start: StartOptions = {}): Promise<string> {
    const orchestrator = registeredFunctionName(name, this.options.orchestratorNames(), "orchestrator");
    const instanceId = start.instanceId === undefined || start.instanceId === "" ? newGuid() : checkedInstanceId(start.instanceId);
    const existing = await this.options.storage.getInstance(instanceId);
    if (existing !== undefined && !isFinished(existing.runtimeStatus)) {
      throw new ClientError("alreadyExists", `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`);
    }
    const now = this.options.clock.now().toISOString();
    const executionId = newGuid();
    const input = start.input === undefined ? {} : { input: start.input };
    // The row first, then the message: the engine takes createdTime from a row of the same
    // execution, and a row written after the engine's first episode would set it back to Pending.
    await this.options.storage.putInstance({
      instanceId,
      name: orchestrator,
      executionId,
      runtimeStatus: "Pending",
      ...input,
      createdTime: now,
      lastUpdatedTime: now,
    });
    try {
      await this.options.storage.sendControl({
        kind: "orchestration",
        id: randomUUID(),
        instanceId,
        event: { EventType: EventType.ExecutionStarted, Name: orchestrator, ...(start.input === undefined ? {} : { Input: start.input }) },
        newExecutionId: executionId,
      });
    } catch (error) {
      // Without its start message the Pending row would hold the id forever: put back what was there.
      await (existing === undefined ? this.options.storage.purgeInstance(instanceId) : this.options.storage.putInstance(existing)).catch(() => undefined);
      throw error;
    }
    return instanceId;
  }

  getStatus(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.options.storage.getInstance(instanceId);
  }

  /** The history of the instance's current execution, as committed ([] before its first episode). */
  async getHistory(instance: InstanceRecord): Promise<HistoryEvent[]> {
    const state = await this.options.storage.readOrchestration(instance.instanceId);
    const checkpoint = state.checkpoint;
    if (checkpoint?.executionId !== instance.executionId) return [];
    return state.events.slice(0, checkpoint.eventCount).map((stored) => stored.event);
  }

  listInstances(query: InstanceQuery): Promise<Page<InstanceRecord>> {
    return this.options.storage.queryInstances(query);
  }

  /** Events for an instance that has not finished; a suspended one buffers them. Input is JSON text. */
  async raiseEvent(instanceId: string, eventName: string, input: string): Promise<void> {
    await this.unfinished(instanceId);
    await this.send(instanceId, { EventType: EventType.EventRaised, Name: eventName, Input: input });
  }

  async terminate(instanceId: string, reason?: string): Promise<void> {
    await this.unfinished(instanceId);
    // The engine makes the reason the instance's output, hence JSON text.
    await this.send(instanceId, { EventType: EventType.ExecutionTerminated, ...(reason === undefined ? {} : { Input: JSON.stringify(reason) }) });
  }

  async suspend(instanceId: string, reason?: string): Promise<void> {
    const instance = await this.unfinished(instanceId);
    if (instance.runtimeStatus === "Suspended") throw refused("suspend", instance);
    await this.send(instanceId, { EventType: EventType.ExecutionSuspended, ...(reason === undefined ? {} : { Reason: reason }) });
  }

  async resume(instanceId: string, reason?: string): Promise<void> {
    const instance = await this.unfinished(instanceId);
    if (instance.runtimeStatus !== "Suspended") throw refused("resume", instance);
    await this.send(instanceId, { EventType: EventType.ExecutionResumed, ...(reason === undefined ? {} : { Reason: reason }) });
  }

  /**
   * The extension's checks for a rewind, which the Azure Storage provider supports (deprecated) and
   * this host does not: a failed instance is refused as not supported.
   */
  async rewind(instanceId: string): Promise<never> {
    const instance = await this.instance(instanceId);
    // Failed is finished too, but it is the one status a rewind is for.
    if (instance.runtimeStatus !== "Failed" && isFinished(instance.runtimeStatus)) {
      throw new ClientError("finished", `Instance '${instanceId}' is ${instance.runtimeStatus}.`);
    }
    if (instance.runtimeStatus !== "Failed") {
      throw new ClientError("invalidState", "The rewind operation is only supported on failed orchestration instances.");
    }
    throw new ClientError("notSupported", "The rewind operation is not supported by the underlying storage provider.");
  }

  /** Starts the instance's orchestrator again with its input, under a new id by default (the extension's default). */
  async restart(instanceId: string, restartWithNewInstanceId = true): Promise<string> {
    const instance = await this.options.storage.getInstance(instanceId);
    // The typo is the extension's.
    if (instance === undefined) throw new ClientError("badArgument", `An orchestrastion with the instanceId ${instanceId} was not found.`);
    return this.startNew(instance.name, { instanceId: restartWithNewInstanceId ? undefined : instanceId, input: instance.input });
  }

  /** Deletes the instance's row and history, whatever its status; answers how many instances went (0 or 1). */
  async purgeInstance(instanceId: string): Promise<number> {
    return (await this.options.storage.purgeInstance(instanceId)) ? 1 : 0;
  }

  /**
   * The Azure Storage provider's purge by filter: of the statuses asked for, only finished ones
   * count, and when none remain (none asked for, or only unfinished ones) every instance created in
   * the range goes, running or not.
   */
  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const finishedStatuses = (filter.runtimeStatus ?? []).filter(isFinished);
    const query: InstanceQuery = {
      createdTimeFrom: filter.createdTimeFrom,
      createdTimeTo: filter.createdTimeTo ?? this.options.clock.now().toISOString(),
      ...(finishedStatuses.length === 0 ? {} : { runtimeStatus: finishedStatuses }),
    };
    const instanceIds: string[] = [];
    // All ids first: deleting rows while paging through them could make the storage skip some.
    let continuationToken: string | undefined;
    do {
      const page = await this.options.storage.queryInstances({ ...query, ...(continuationToken === undefined ? {} : { continuationToken }) });
      instanceIds.push(...page.items.map((instance) => instance.instanceId));
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    // A few at a time: each purge is several storage calls, and a large hub has thousands.
    let deleted = 0;
    for (let first = 0; first < instanceIds.length; first += PURGE_BATCH) {
      const purged = await Promise.all(instanceIds.slice(first, first + PURGE_BATCH).map((instanceId) => this.options.storage.purgeInstance(instanceId)));
      deleted += purged.filter(Boolean).length;
    }
    return deleted;
  }

  /** A one-way operation for an entity; input is JSON text or absent. */
  async signalEntity(name: string, key: string, operation: string, input?: string): Promise<void> {
    if (name === "") {
      throw new ClientError("badArgument", "Invalid entity id: entity name must not be a null or empty string. (Parameter 'entityName')");
    }
    if (hasInvalidCharacter(key)) {
      // The message and parameter name are swapped in the extension; this is what it reports.
      throw new ClientError("badArgument", "entityKey (Parameter 'Entity keys must not contain /, \\, #, ?, or control characters.')");
    }
    registeredFunctionName(name.toLowerCase(), this.options.entityNames(), "entity");
    await this.options.storage.sendControl({
      kind: "entity",
      id: randomUUID(),
      instanceId: entityInstanceId(name, key),
      operation,
      ...(input === undefined ? {} : { input }),
      isSignal: true,
    });
  }

  /** The entity if it exists (has state); undefined otherwise. */
  async readEntity(name: string, key: string): Promise<EntityRecord | undefined> {
    const record = await this.options.storage.readEntity(entityInstanceId(name, key));
    return record?.exists === true && record.state !== undefined ? record : undefined;
  }

  /**
   * Existing entities, a page at a time. The storage's pages may hold deleted entities, which are left
   * out; a page left empty is followed at once (for a bounded time) rather than handed back empty.
   */
  async listEntities(query: EntityQuery): Promise<Page<EntityRecord>> {
    const started = Date.now();
    const bounded: EntityQuery = { ...query, lastModifiedTo: query.lastModifiedTo ?? this.options.clock.now().toISOString() };
    for (;;) {
      const page = await this.options.storage.queryEntities(bounded);
      const items = page.items.filter((entity) => entity.exists);
      if (items.length > 0 || page.continuationToken === undefined || Date.now() - started > EMPTY_ENTITY_PAGES_MS) {
        return { items, ...(page.continuationToken === undefined ? {} : { continuationToken: page.continuationToken }) };
      }
      bounded.continuationToken = page.continuationToken;
    }
  }

  private async instance(instanceId: string): Promise<InstanceRecord> {
    const instance = await this.options.storage.getInstance(instanceId);
    if (instance === undefined) throw new ClientError("notFound", `No instance with ID '${instanceId}' was found.`);
    return instance;
  }

  private async unfinished(instanceId: string): Promise<InstanceRecord> {
    const instance = await this.instance(instanceId);
    if (isFinished(instance.runtimeStatus)) throw new ClientError("finished", `Instance '${instanceId}' is ${instance.runtimeStatus}.`);
    return instance;
  }

  /** Events addressed to the instance, not to an execution: they reach whichever execution is current. */
  private send(instanceId: string, event: NewHistoryEvent): Promise<void> {
    return this.options.storage.sendControl({ kind: "orchestration", id: randomUUID(), instanceId, event });
  }
}

function refused(operation: "suspend" | "resume", instance: InstanceRecord): ClientError {
  return new ClientError(
    "invalidState",
    `Cannot ${operation} the orchestration instance ${instance.instanceId} because instance is in the ${instance.runtimeStatus} state.`,
  );
}
