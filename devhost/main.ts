import path from "node:path";
import { parseArgs } from "node:util";
import { ConsoleHostLogger } from "./app/HostLogger.js";
import { Host } from "./Host.js";

const USAGE = `Local durable host: runs the compiled Functions app, its HTTP triggers and Durable Functions on Azure Storage (Azurite).

Usage: node devhost/dist/main.js [options]

  --app-root <dir>      the app's folder (package.json, host.json, local.settings.json); default: the current folder
  --port <n>            HTTP port on 127.0.0.1; default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port
  --clock real|virtual  virtual: time moves only when advanced (POST /admin/devhost/clock/advance) or skipped; default: real
  --no-auto-skip        under the virtual clock, never skip ahead to the next timer on its own
  --no-batching         apply one control message per episode instead of batches of controlQueueBatchSize
  --lease-seconds <n>   how long a taken queue message stays hidden (after a crash: the wait before it is retried); default: 30
  --help                this text`;

/** The longest a stop waits for running work before the process exits anyway. */
const STOP_TIMEOUT_MS = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "app-root": { type: "string" },
      port: { type: "string" },
      clock: { type: "string", default: "real" },
      "no-auto-skip": { type: "boolean", default: false },
      "no-batching": { type: "boolean", default: false },
      "lease-seconds": { type: "string", default: "30" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const clock = values.clock;
  if (clock !== "real" && clock !== "virtual") throw new UsageError(`--clock must be "real" or "virtual", not "${clock}".`);
  const port = values.port === undefined ? undefined : integerOption("--port", values.port, 0, 65535);
  const leaseSeconds = integerOption("--lease-seconds", values["lease-seconds"], 1, 7 * 24 * 3600);

  const logger = new ConsoleHostLogger();
  const host = await Host.start({
    appRoot: path.resolve(values["app-root"] ?? process.cwd()),
    ...(port === undefined ? {} : { port }),
    clock,
    autoSkip: !values["no-auto-skip"],
    batching: !values["no-batching"],
    leaseSeconds,
    logger,
  });
  process.stdout.write(`\n${host.describeFunctions()}\n`);
  const clockNote = clock === "virtual" ? ` (virtual clock${values["no-auto-skip"] ? "" : ", time skipping"})` : "";
  process.stdout.write(`Local durable host listening on http://127.0.0.1:${host.port}${clockNote}\n`);

  let stoppingSince: number | undefined;
  const stop = (): void => {
    if (stoppingSince !== undefined) {
      // A second Ctrl-C means "do not wait". One within a second is the same Ctrl-C arriving twice:
      // from the terminal to the whole process group, and forwarded by npm start.
      if (Date.now() - stoppingSince > 1000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    // Ctrl-C in a terminal also stops Azurite, and storage calls to it would retry for minutes:
    // whatever is unfinished by then is safe in the queues and is taken again at the next start.
    const giveUp = setTimeout(() => {
      logger.log("warning", `Stopping took over ${STOP_TIMEOUT_MS / 1000} s; exiting. Unfinished work resumes at the next start.`);
      process.exit(0);
    }, STOP_TIMEOUT_MS);
    host.stop().then(
      () => {
        clearTimeout(giveUp);
        process.exit(0);
      },
      (error: unknown) => {
        logger.log("error", `Stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // A promise the app forgot to await, or a throw in one of its callbacks, would otherwise end the
  // whole host. The Functions host logs it and restarts the worker; this host logs it and goes on.
  const reportUncaught = (error: unknown): void =>
    logger.log("error", `Worker uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.on("unhandledRejection", reportUncaught);
  process.on("uncaughtException", reportUncaught);
}

class UsageError extends Error {}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, not "${text}".`);
  return value;
}

main().catch((error: unknown) => {
  const message =
    (error as { code?: unknown }).code === "EADDRINUSE"
      ? `${(error as Error).message}: another host (func, or this one) is using the port. Stop it, or choose another with --port.`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`${message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ""}`);
  process.exit(1);
});
