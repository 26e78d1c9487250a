import { createHash } from "node:crypto";

/**
 * A GUID-shaped id that is a pure function of its parts (a name-based, version 5 style UUID): ids the
 * host creates for an episode's messages must come out the same when the episode runs again after a
 * crash, so that receivers recognise the resend.
 */
export function deterministicGuid(...parts: (string | number)[]): string {
  const hash = createHash("sha1").update(JSON.stringify(parts)).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
