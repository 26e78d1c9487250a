import { parseAllowedHosts } from "./logic/monitor.js";

/**
 * The app settings the samples read, in one place. Read on use rather than at module load, so that
 * a cold start does no work for a sample that is never called.
 */

export const DEFAULT_TASK_HUB = "DurablePatterns";

export function storageConnectionString(): string {
  const value = process.env.AzureWebJobsStorage;
  if (value === undefined || value.trim() === "") {
    throw new Error("The AzureWebJobsStorage setting is missing; set it to UseDevelopmentStorage=true for Azurite.");
  }
  return value;
}

export function taskHubName(): string {
  const value = process.env.TASKHUB_NAME?.trim();
  return value === undefined || value === "" ? DEFAULT_TASK_HUB : value;
}

export function monitorAllowedHosts(): string[] | undefined {
  return parseAllowedHosts(process.env.MONITOR_ALLOWED_HOSTS);
}

export function appInsightsConnectionString(): string | undefined {
  const value = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  return value === undefined || value === "" ? undefined : value;
}
