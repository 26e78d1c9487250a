import type { EntityRecord } from "../storage/records.js";
import { dotNetDateTime } from "./dotNetDateTime.js";
import { jsonToken } from "./jsonToken.js";

/** The extension's DurableEntityStatus. */
export interface EntityStatusJson {
  entityId: { name: string; key: string };
  lastOperationTime: string;
  /** null unless the listing asked for state (fetchState=true). */
  state: unknown;
}

export function entityStatusJson(entity: EntityRecord, fetchState: boolean): EntityStatusJson {
  return {
    entityId: { name: entity.name.toLowerCase(), key: entity.key },
    lastOperationTime: dotNetDateTime(entity.lastModifiedTime),
    state: fetchState && entity.state !== undefined ? jsonToken(entity.state) : null,
  };
}
