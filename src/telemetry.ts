import { appInsightsConnectionString } from "./settings.js";

/**
 * Application Insights, only where it is configured: requiring applicationinsights adds about half
 * a second to a cold start, so without APPLICATIONINSIGHTS_CONNECTION_STRING it is never loaded.
 */
export async function startTelemetry(): Promise<boolean> {
  const connectionString = appInsightsConnectionString();
  if (connectionString === undefined) return false;
  const appInsights = await import("applicationinsights");
  appInsights.setup(connectionString).setAutoCollectConsole(false).start();
  return true;
}
