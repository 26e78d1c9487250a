import { parseEntityInstanceId, type EntityOperationMessage } from "../protocol/messages.js";
import type { EntityRecord } from "../storage/records.js";
import type { EngineParts } from "./EngineParts.js";
import type { HeldMessage } from "./HeldMessage.js";
import { sendOutbox } from "./sendOutbox.js";

type Held = HeldMessage<EntityOperationMessage>;

/**
 * How many applied message ids an entity remembers. Copies of a message come back only after a
 * crash (a redelivery, or a resent outbox), right after the batch that applied the first copy.
 */
const REMEMBERED_MESSAGE_IDS = 1000;

/**
 * One batch of operations on one entity, crash-safe like an orchestration episode: the new state,
 * the ids of the operations it includes and what the batch sends are written in one row (the commit
 * point); then the outbox is sent and the messages deleted. A redelivered operation is recognised by
 * its id and not applied again; an outbox a crash may have cut short is sent again first.
 */
export async function processEntityBatch(parts: EngineParts, instanceId: string, batch: readonly Held[]): Promise<void> {
  const { storage, clock } = parts;
  const record = parts.committedEntities.take(instanceId) ?? (await storage.readEntity(instanceId));
  if (record?.etag !== undefined && !parts.sentOutboxes.has(instanceId, record.etag)) {
    // This process has not sent what the last batch committed: a crash may have cut that short.
    await sendOutbox(storage, record.outbox);
    parts.sentOutboxes.remember(instanceId, record.etag);
  }
  const applied = new Set(record?.processedMessageIds ?? []);
  const fresh = batch.filter((held) => {
    if (applied.has(held.message.id)) return false;
    applied.add(held.message.id); // a second copy in the same batch is a duplicate too
    return true;
  });

  if (fresh.length === 0) {
    // Nothing written: the row read is still the entity's.
    if (record !== undefined) parts.committedEntities.remember(instanceId, record);
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
  // writeEntity gave `next` the row's new ETag. The copy is kept because the next batch's runner gets it as its record.
  parts.committedEntities.remember(instanceId, structuredClone(next));
  await sendOutbox(storage, result.outbox);
  if (next.etag !== undefined) parts.sentOutboxes.remember(instanceId, next.etag);
  await Promise.all(batch.map((held) => held.complete()));
}
