import { expect } from "vitest";
import { describeResult, get } from "../../e2e/support/http.js";
import { webhookApi, type CheckStatusPayload } from "../../e2e/support/durable.js";

/**
 * What a task hub holds, read through the Durable built-in API (GET …/instances and
 * GET …/entities?fetchState=true), so that a test can show that a series of refused requests
 * started, raised or signalled nothing: compare a snapshot taken before with one taken after.
 */

export interface InstanceSummary {
  name: string;
  runtimeStatus: string;
}

export interface EntitySummary {
  state: unknown;
  lastOperationTime: string;
}

export interface TaskHubSnapshot {
  instances: ReadonlyMap<string, InstanceSummary>;
  /** By "name@key", as the extension names entity instances. */
  entities: ReadonlyMap<string, EntitySummary>;
}

const CONTINUATION_HEADER = "x-ms-continuation-token";

/** Every instance and entity of the hub the payload's management URLs name, all pages. */
export async function snapshotTaskHub(anyCheckStatus: CheckStatusPayload): Promise<TaskHubSnapshot> {
  const instances = new Map<string, InstanceSummary>();
  for (const item of await readAllPages(anyCheckStatus, "instances", { showInput: "false" })) {
    const { instanceId, name, runtimeStatus } = item as { instanceId: string; name: string; runtimeStatus: string };
    instances.set(instanceId, { name, runtimeStatus });
  }
  const entities = new Map<string, EntitySummary>();
  for (const item of await readAllPages(anyCheckStatus, "entities", { fetchState: "true" })) {
    const { entityId, state, lastOperationTime } = item as { entityId: { name: string; key: string }; state: unknown; lastOperationTime: string };
    entities.set(`${entityId.name}@${entityId.key}`, { state, lastOperationTime });
  }
  return { instances, entities };
}

async function readAllPages(payload: CheckStatusPayload, collection: "instances" | "entities", filters: Record<string, string>): Promise<unknown[]> {
  const { base, query } = webhookApi(payload);
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const items: unknown[] = [];
  let continuation = "";
  do {
    const result = await get(`${base}/${collection}?${params.toString()}`, continuation === "" ? {} : { headers: { [CONTINUATION_HEADER]: continuation } });
    expect(result.status, describeResult(result)).toBe(200);
    expect(Array.isArray(result.json), describeResult(result)).toBe(true);
    items.push(...(result.json as unknown[]));
    continuation = result.headers.get(CONTINUATION_HEADER) ?? "";
  } while (continuation !== "");
  return items;
}

export interface TaskHubChanges {
  /** Instance ids that are new, or whose status changed. */
  instancesStartedOrChanged: string[];
  /** Entities that are new, or whose state or last operation time changed. */
  entitiesSignalled: string[];
}

/**
 * What differs between two snapshots. `stateOnly` names entities that the test itself operated on
 * between the snapshots (a read-your-writes barrier): for those only a change of state counts.
 */
export function changesBetween(before: TaskHubSnapshot, after: TaskHubSnapshot, stateOnly: ReadonlySet<string> = new Set()): TaskHubChanges {
  const instancesStartedOrChanged = [...after.instances].flatMap(([id, instance]) => {
    const earlier = before.instances.get(id);
    return earlier?.runtimeStatus === instance.runtimeStatus && earlier.name === instance.name ? [] : [id];
  });
  const entitiesSignalled = [...after.entities].flatMap(([id, entity]) => {
    const earlier = before.entities.get(id);
    if (earlier === undefined) return [id];
    const sameState = JSON.stringify(earlier.state) === JSON.stringify(entity.state);
    return sameState && (stateOnly.has(id) || earlier.lastOperationTime === entity.lastOperationTime) ? [] : [id];
  });
  return { instancesStartedOrChanged, entitiesSignalled };
}
