import { app } from "@azure/functions";
import { startTelemetry } from "./telemetry.js";

/**
 * Loaded by the Functions host with the modules in src/functions (see "main" in package.json):
 * app-wide setup that belongs to no single sample.
 */
app.setup({ enableHttpStream: false });

void startTelemetry().catch((error: unknown) => {
  console.error("Application Insights could not be started; the app runs without telemetry.", error);
});
