// Counts the storage requests a process sends, by kind (queue send/receive/delete/update, table
// batch/read/write/delete, blob), by wrapping node:http's request(): the Azure SDKs' Node HTTP
// client calls it for every attempt, so a retry counts as the round trip it is. Used in-process by
// the fan-out benchmark and, preloaded with --import, inside the local host by the end-to-end one.
import http from "node:http";
import { writeFileSync } from "node:fs";

export const counts = {};

/** The kind of storage request, from its method and path (undefined for anything else, e.g. the host's own HTTP). */
export function storageRequestKind(method, requestPath) {
  const [pathOnly = ""] = requestPath.split("?");
  const segments = pathOnly.split("/").filter(Boolean);
  // Azurite paths start with the account name.
  if (segments[0] !== "devstoreaccount1") return undefined;
  const rest = segments.slice(1);
  if (rest[1] === "messages") {
    if (method === "POST") return "queue.send";
    if (method === "GET") return rest.length > 2 ? "queue.peek" : "queue.receive";
    if (method === "DELETE") return rest.length > 2 ? "queue.delete" : "queue.clear";
    if (method === "PUT") return "queue.update";
  }
  if (rest[0] === "$batch") return "table.batch";
  // Table entities: Name(PartitionKey='…',RowKey='…') is one row, Name() or Name a query or an insert.
  const table = rest.length === 1 ? /^[A-Za-z][A-Za-z0-9]*(?:\((.*)\))?$/s.exec(decodeURIComponent(rest[0])) : null;
  if (table !== null) {
    const oneRow = table[1] !== undefined && table[1] !== "";
    if (method === "GET") return oneRow ? "table.get" : "table.query";
    if (method === "DELETE") return "table.delete";
    return "table.write";
  }
  return method === "GET" || method === "HEAD" ? "other.read" : "other.write";
}

let installed = false;

export function installStorageRequestCounter() {
  if (installed) return;
  installed = true;
  const originalRequest = http.request;
  http.request = function countedRequest(...args) {
    const request = originalRequest.apply(this, args);
    const kind = storageRequestKind(request.method, request.path);
    if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1;
    return request;
  };
}

export function totalOf(snapshot) {
  return Object.values(snapshot).reduce((sum, count) => sum + count, 0);
}

/** What happened between two snapshots of `counts`. */
export function difference(after, before) {
  const result = {};
  for (const [kind, count] of Object.entries(after)) {
    const delta = count - (before[kind] ?? 0);
    if (delta > 0) result[kind] = delta;
  }
  return result;
}

// Preloaded into the local host (node --import): the benchmark asks for a snapshot with SIGUSR2 and
// reads it from the file BENCH_STORAGE_COUNTS names.
if (process.env.BENCH_STORAGE_COUNTS !== undefined) {
  installStorageRequestCounter();
  const file = process.env.BENCH_STORAGE_COUNTS;
  process.on("SIGUSR2", () => writeFileSync(file, JSON.stringify({ at: Date.now(), counts })));
}
