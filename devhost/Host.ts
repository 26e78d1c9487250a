import { FunctionApp } from "./app/FunctionApp.js";
import type { RegisteredFunction } from "./app/functionTypes.js";
import type { HostLogger } from "./app/HostLogger.js";
import { RealClock, VirtualClock, type Clock } from "./clock/Clock.js";
import { ClockApi } from "./clock/ClockApi.js";
import { clientBindingData } from "./client/clientBinding.js";
import { TaskHubClient } from "./client/TaskHubClient.js";
import { WEBHOOK_PATH } from "./client/webhookPath.js";
import { Engine } from "./engine/Engine.js";
import { loadHostSettings, type HostSettings } from "./HostSettings.js";
import { DurableHttpApi } from "./api/DurableHttpApi.js";
import { HttpServer } from "./http/HttpServer.js";
import { TaskHubStorage } from "./storage/TaskHubStorage.js";

export interface HostOptions {
  /** The app's folder: package.json (whose main names the compiled files), host.json, local.settings.json. */
  appRoot: string;
  /** Default: local.settings.json Host.LocalHttpPort, else 7071. 0 picks a free port. */
  port?: number;
  /** "virtual" starts at the real time and moves only when advanced (or skipped ahead). */
  clock: "real" | "virtual";
  /** Under the virtual clock: skip to the next timer whenever only time can move the instances. */
  autoSkip: boolean;
  /** Batched control-queue delivery, as in production; false applies one message per episode. */
  batching: boolean;
  /** How long a taken queue message stays hidden; after a crash, the longest wait before it is taken again. */
  leaseSeconds: number;
  logger: HostLogger;
}

/**
 * The system key the management URLs carry as code=…, as Core Tools' URLs carry the durabletask
 * extension's key. A fixed local value: nothing checks it (Core Tools does not either).
 */
const LOCAL_SYSTEM_KEY = "local-devhost-key";

/** How long the host waits for storage at start (Azurite may still be starting beside it). */
const STORAGE_WAIT_MS = 15_000;

/**
 * The local durable host: the app loaded as the Functions host loads it, its HTTP triggers and the
 * Durable built-in API on 127.0.0.1, and the durable engine on the task hub's Azure Storage.
 */
export class Host {
  private constructor(
    readonly settings: HostSettings,
    readonly app: FunctionApp,
    readonly clock: Clock,
    private readonly server: HttpServer,
    private readonly engine: Engine,
    private readonly logger: HostLogger,
  ) {}

  static async start(options: HostOptions): Promise<Host> {
    const { logger } = options;
    const settings = loadHostSettings(options.appRoot);
    const durable = settings.durableTask;
    const connection = durable.storageProvider.connection;
    if (connection.kind !== "connectionString") {
      throw new Error(
        `The local host needs a connection string in ${durable.storageProvider.connectionName} ("UseDevelopmentStorage=true" for Azurite); identity-based connections are for Azure.`,
      );
    }
    const app = await FunctionApp.load(options.appRoot, logger, settings.functionTimeoutMs);
    // Before anything can invoke a function, as the worker runs them at its start; functions an
    // appStart hook registers are in the route table and the engine's view too.
    await app.runAppStartHooks();
    const storage = new TaskHubStorage({ connectionString: connection.value, taskHubName: durable.hubName, partitionCount: durable.storageProvider.partitionCount });
    await whenStorageAnswers(() => storage.createIfNotExists());

    const clock: Clock = options.clock === "virtual" ? new VirtualClock() : new RealClock();
    const client = new TaskHubClient({
      storage,
      clock,
      orchestratorNames: () => namesOf(app, "orchestrationTrigger"),
      entityNames: () => namesOf(app, "entityTrigger"),
    });
    const urlParts = { taskHubName: durable.hubName, connectionName: durable.storageProvider.connectionName, systemKey: LOCAL_SYSTEM_KEY };
    const api = new DurableHttpApi({ client, ...urlParts });
    const clockApi = new ClockApi(clock);
    let origin = "";
    const server = new HttpServer({
      app,
      logger,
      port: options.port ?? settings.localHttpPort,
      routePrefix: settings.routePrefix,
      cors: settings.cors,
      systemRoutes: [
        { pathPrefix: WEBHOOK_PATH, handle: (request) => api.handle(request) },
        { pathPrefix: ClockApi.pathPrefix, handle: (request) => clockApi.handle(request) },
      ],
      durableClientData: () => clientBindingData({ origin, ...urlParts }),
    });
    await server.start();
    // As Core Tools does: durable-functions builds management URLs from WEBSITE_HOSTNAME.
    process.env.WEBSITE_HOSTNAME = `localhost:${server.port}`;
    origin = `http://localhost:${server.port}`;

    const engine = new Engine(storage, app, clock, logger, {
      partitionCount: durable.storageProvider.partitionCount,
      controlQueueBatchSize: durable.storageProvider.controlQueueBatchSize,
      batching: options.batching,
      leaseSeconds: options.leaseSeconds,
      maxPollingIntervalMs: durable.storageProvider.maxQueuePollingIntervalMs,
      maxConcurrentOrchestratorFunctions: durable.maxConcurrentOrchestratorFunctions,
      maxConcurrentActivityFunctions: durable.maxConcurrentActivityFunctions,
      autoSkip: options.autoSkip,
    });
    engine.start();
    return new Host(settings, app, clock, server, engine, logger);
  }

  get port(): number {
    return this.server.port;
  }

  /** The function list Core Tools prints at start: HTTP routes with their methods, other triggers by type. */
  describeFunctions(): string {
    const lines = this.app.list().map((fn) => {
      if (fn.trigger.type !== "httpTrigger") return `\t${fn.name}: ${fn.trigger.type}`;
      const methods = (fn.trigger.methods ?? ["GET", "POST"]).map((method) => method.toUpperCase()).join(",");
      const prefix = this.settings.routePrefix === "" ? "" : `${this.settings.routePrefix}/`;
      return `\t${fn.name}: [${methods}] http://localhost:${this.port}/${prefix}${fn.trigger.route ?? fn.name}`;
    });
    return `Functions:\n\n${lines.join("\n\n")}\n`;
  }

  /** Stops taking requests and messages, lets running work finish, then runs the app's terminate hooks. */
  async stop(): Promise<void> {
    await this.server.close();
    await this.engine.stop();
    await this.app.runAppTerminateHooks();
    this.logger.log("information", "The local durable host has stopped.");
  }
}

function namesOf(app: FunctionApp, triggerType: string): ReadonlySet<string> {
  return new Set(app.list().filter((fn: RegisteredFunction) => fn.trigger.type === triggerType).map((fn) => fn.name));
}

async function whenStorageAnswers(action: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + STORAGE_WAIT_MS;
  for (;;) {
    try {
      await action();
      return;
    } catch (error) {
      const refused = (error as { code?: unknown }).code === "ECONNREFUSED" || /ECONNREFUSED/.test(String(error));
      if (!refused || Date.now() > deadline) {
        throw new Error(`The task hub's storage cannot be reached (${String(error)}). Is Azurite running? npm start starts it.`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
