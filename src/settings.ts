import { parseAllowedHosts } from "./logic/monitor.js";
import { storageConnectionFrom, type StorageConnection } from "./logic/storageConnection.js";

/**
 * The app settings the samples read, in one place. Read on use rather than at module load, so that
 * a cold start does no work for a sample that is never called.
 */

/**
 * The AzureWebJobsStorage account for the app's own clients: a connection string, or the
 * identity-based `AzureWebJobsStorage__accountName` (and friends) the host also understands.
 */
export function storageConnection(): StorageConnection {
  return storageConnectionFrom(process.env);
}

export function monitorAllowedHosts(): string[] | undefined {
  return parseAllowedHosts(process.env.MONITOR_ALLOWED_HOSTS);
}

export function appInsightsConnectionString(): string | undefined {
  const value = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  return value === undefined || value === "" ? undefined : value;
}
