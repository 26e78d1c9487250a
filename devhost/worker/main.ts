import path from "node:path";
import { parseArgs } from "node:util";
import { FunctionApp } from "../app/FunctionApp.js";
import { ConsoleHostLogger, type HostLogger } from "../app/HostLogger.js";
import { loadHostSettings } from "../HostSettings.js";
import { HttpServer } from "../http/HttpServer.js";
import { WorkerApi } from "./WorkerApi.js";

/** The line the .NET host waits for; the port follows it as JSON. */
const READY_PREFIX = "realhost-worker ready";

const USAGE = `realhost worker: runs the compiled Functions app for the realhost's .NET host, which runs the
real Durable Task extension and starts this process itself.

Usage: node devhost/dist/worker/main.js --app-root <dir>

  --app-root <dir>   the app's folder (package.json, host.json); default: the current folder
  --help             this text

Environment: the app settings, and REALHOST_WORKER_TOKEN (required), the token the host sends in the
x-realhost-worker-token header of its /__worker/ requests.

Once the app is loaded and its HTTP port open, the worker prints one line to stdout:
  ${READY_PREFIX} {"port":<n>}
Everything else it prints is log output. It stops when its stdin ends (the host holds it open, so
the worker also stops when the host dies) or on SIGTERM; SIGINT does not stop it.`;

/** The longest a stop waits for running requests and the appTerminate hooks before the process exits anyway. */
const STOP_TIMEOUT_MS = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "app-root": { type: "string" }, help: { type: "boolean", default: false } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const token = process.env.REALHOST_WORKER_TOKEN;
  if (token === undefined || token === "") throw new UsageError("REALHOST_WORKER_TOKEN is not set: the worker accepts requests only from the host that started it.");

  const logger = new ConsoleHostLogger();
  // From the start: a promise the app forgot to await, or a throw in one of its callbacks (at load
  // time too), would otherwise end the worker. The Functions host logs it and restarts the worker;
  // this worker logs it and goes on.
  const reportUncaught = (error: unknown): void =>
    logger.log("error", `Worker uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.on("unhandledRejection", reportUncaught);
  process.on("uncaughtException", reportUncaught);
  const lifetime = new WorkerLifetime(logger);

  const appRoot = path.resolve(values["app-root"] ?? process.cwd());
  // The environment already holds the host's merged app settings; local.settings.json fills in only
  // what it lacks, as Core Tools does.
  const settings = loadHostSettings(appRoot);
  const app = await FunctionApp.load(appRoot, logger, settings.functionTimeoutMs);
  lifetime.app = app;
  await app.runAppStartHooks();

  const api = new WorkerApi({ app, token, routePrefix: settings.routePrefix, logger });
  // No durable webhook routes and no clock: the .NET host serves the extension's own.
  const server = new HttpServer({
    app,
    logger,
    port: 0,
    routePrefix: settings.routePrefix,
    cors: settings.cors,
    systemRoutes: [{ pathPrefix: WorkerApi.pathPrefix, handle: (request) => api.handle(request) }],
    durableClientData: () => api.durableClientData(),
  });
  await server.start();
  lifetime.server = server;
  process.stdout.write(`${READY_PREFIX} ${JSON.stringify({ port: server.port })}\n`);
}

/**
 * When the worker stops: its stdin ends or fails (the host closed it, or died: even after a kill -9
 * of the host the pipe's other end closes) or SIGTERM. Then it stops taking requests, lets running
 * ones finish, runs the app's appTerminate hooks and exits 0, within STOP_TIMEOUT_MS. SIGINT is
 * ignored: Ctrl-C in a terminal reaches the whole process group, and the host decides when its
 * worker stops. Set up before the app loads, so a host that dies meanwhile is noticed too.
 */
class WorkerLifetime {
  app: FunctionApp | undefined;
  server: HttpServer | undefined;
  #stopping = false;

  constructor(private readonly logger: HostLogger) {
    process.stdin.on("end", () => this.stop("its stdin ended"));
    process.stdin.on("error", (error) => this.stop(`its stdin failed (${error.message})`));
    process.stdin.on("close", () => this.stop("its stdin closed"));
    process.stdin.resume();
    process.on("SIGTERM", () => this.stop("SIGTERM"));
    process.on("SIGINT", () => logger.log("information", "The worker ignores SIGINT: it stops when the host closes its stdin."));
  }

  stop(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.logger.log("information", `The worker is stopping: ${reason}.`);
    setTimeout(() => {
      this.logger.log("warning", `Stopping took over ${STOP_TIMEOUT_MS / 1000} s; exiting.`);
      process.exit(0);
    }, STOP_TIMEOUT_MS);
    void this.#close().then(() => process.exit(0));
  }

  async #close(): Promise<void> {
    try {
      await this.server?.close();
      await this.app?.runAppTerminateHooks();
    } catch (error) {
      this.logger.log("error", `Stopping the worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ""}`);
  process.exit(1);
});
