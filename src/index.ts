import { app } from "@azure/functions";
import { startTelemetry, stopTelemetry } from "./telemetry.js";

/**
 * Loaded by the Functions host with the modules in src/functions (see "main" in package.json):
 * app-wide setup that belongs to no single sample.
 */
app.setup({ enableHttpStream: false });

// Not awaited: the worker must not wait for Application Insights to load; events tracked before it
// is ready are sent once it is.
void startTelemetry();

// Flush what is buffered when the worker shuts down (scale-in, deployment, restart).
app.hook.appTerminate(async () => {
  await stopTelemetry();
});
