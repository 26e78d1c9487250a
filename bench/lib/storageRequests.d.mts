// Types for the tests of storageRequests.mjs (the benchmarks themselves are plain JavaScript).
export type StorageRequestCounts = Record<string, number>;
export const counts: StorageRequestCounts;
export function storageRequestKind(method: string, requestPath: string): string | undefined;
export function installStorageRequestCounter(): void;
export function totalOf(snapshot: StorageRequestCounts): number;
export function difference(after: StorageRequestCounts, before: StorageRequestCounts): StorageRequestCounts;
