import { parseEntityInstanceId, type EntityOperationMessage } from "../protocol/messages.js";
import type { EntityRecord } from "../storage/records.js";
import type { EngineParts } from "./EngineParts.js";
import type { HeldMessage } from "./HeldMessage.js";
import { sendOutbox } from "./sendOutbox.js";

type Held = HeldMessage<EntityOperationMessage>;

/** How many applied message ids an entity remembers: far more than can ever be redelivered at once. */
const REMEMBERED_MESSAGE_IDS = 1000;

/**
 * One batch of operations on one entity, crash-safe like an orchestration episode: the new state,
 * the ids of the operations it includes and what the batch sends are written in one row (the commit
 * point); then the outbox is sent and the messages deleted. A redelivered operation is recognised by
 * its id and not applied again.
 */
export async function processEntityBatch(parts: EngineParts, instanceId: string, batch: readonly Held[]): Promise<void> {
  const { storage, clock } = parts;
  const record = await storage.readEntity(instanceId);
  const applied = new Set(record?.processedMessageIds ?? []);
  const fresh = batch.filter((held) => !applied.has(held.message.id));

  if (fresh.length === 0) {
    if (record !== undefined) await sendOutbox(storage, record.outbox);
    await Promise.all(batch.map((held) => held.complete()));
    return;
  }

  const now = clock.now();
  const result = await parts.entities.runBatch({
    instanceId,
    ...(record === undefined ? {} : { record }),
    messages: fresh.map((held) => held.message),
    now,
  });
  const id = parseEntityInstanceId(instanceId);
  if (id === undefined) throw new Error(`'${instanceId}' is not an entity instance id.`);
  const next: EntityRecord = {
    instanceId,
    name: id.name,
    key: id.key,
    exists: result.exists,
    ...(result.state === undefined ? {} : { state: result.state }),
    processedMessageIds: [...(record?.processedMessageIds ?? []), ...fresh.map((held) => held.message.id)].slice(-REMEMBERED_MESSAGE_IDS),
    outbox: result.outbox,
    lastModifiedTime: now.toISOString(),
    ...(record?.etag === undefined ? {} : { etag: record.etag }),
  };
  if (!(await storage.writeEntity(next))) {
    // Someone else wrote the entity since it was read (a second host on the same task hub): let the
    // messages come back and run the batch again from the state that won.
    await Promise.all(batch.map((held) => held.release()));
    return;
  }
  await sendOutbox(storage, result.outbox);
  await Promise.all(batch.map((held) => held.complete()));
}
