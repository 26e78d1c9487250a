import type { InstanceRecord } from "../storage/records.js";
import { jsonToken } from "./jsonToken.js";

/** The extension's StatusResponsePayload; historyEvents only when the history was asked for. */
export interface StatusResponse {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: unknown[];
}

/** The extension formats these two with .NET's "s" format plus "Z": whole seconds. */
const wholeSeconds = (iso: string): string => `${new Date(iso).toISOString().slice(0, 19)}Z`;

export function statusResponse(instance: InstanceRecord, showInput: boolean, historyEvents?: unknown[]): StatusResponse {
  return {
    name: instance.name,
    instanceId: instance.instanceId,
    runtimeStatus: instance.runtimeStatus,
    input: showInput ? jsonToken(instance.input) : null,
    customStatus: jsonToken(instance.customStatus),
    output: jsonToken(instance.output),
    createdTime: wholeSeconds(instance.createdTime),
    lastUpdatedTime: wholeSeconds(instance.lastUpdatedTime),
    ...(historyEvents === undefined ? {} : { historyEvents }),
  };
}
