import { afterAll, beforeAll, beforeEach } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clientBindingData, type ClientBindingData } from "../../devhost/client/clientBinding.js";

/**
 * An in-memory stand-in for the Durable extension's HTTP API on 127.0.0.1, so HTTP handler tests
 * run the real durable-functions DurableClient (rpcBaseUrl and all) against the status codes and
 * JSON shapes the extension uses. Tests arrange instances and react to events through hooks; the
 * orchestrations themselves are exercised through the SDK's replay in the orchestration tests.
 */

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Canceled" | "Terminated" | "Suspended";

export interface FakeInstance {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface RaisedEvent {
  instanceId: string;
  name: string;
  data: unknown;
}

export interface EntitySignal {
  entity: string;
  key: string;
  operation: string;
  input: unknown;
}

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

/**
 * How long a start waits by default between its duplicate check and its write. The Azure Storage
 * provider's start has the same gap (read the instance, enqueue ExecutionStarted, write the
 * instance row), so two concurrent starts of one id can both be accepted; the fake keeps the gap
 * to expose that race.
 */
export const START_GAP_MS = 5;

export interface FakeDurableExtensionOptions {
  /** The task hub the binding data names (the claims table is derived from it); "TestHub" by default. */
  taskHub?: string;
  /**
   * The registered orchestrator names. When given, a start of any other name is refused with 400,
   * as the extension refuses a function it does not know; when omitted, every name is accepted.
   */
  orchestrators?: readonly string[];
}

export class FakeDurableExtension {
  readonly taskHub: string;
  private readonly orchestrators: ReadonlySet<string> | undefined;
  readonly instances = new Map<string, FakeInstance>();
  readonly entities = new Map<string, unknown>();
  readonly raisedEvents: RaisedEvent[] = [];
  readonly signals: EntitySignal[] = [];
  readonly starts: { name: string; instanceId: string; input: unknown }[] = [];
  /** Instance ids purged (DELETE instances/{id}) since the last reset, in order. */
  readonly purges: string[] = [];
  /** Makes a purge fail with this status (purging nothing), to test error paths. */
  failPurgesWith: number | undefined;
  /** Called for every accepted event; a test uses it to play the orchestration's part. */
  onRaiseEvent: (instance: FakeInstance, event: RaisedEvent) => void = () => {};
  /** Called for every started instance. */
  onStart: (instance: FakeInstance) => void = () => {};
  /**
   * The gap between a start's duplicate check and its write. Concurrency tests widen it so that
   * every concurrent start surely lands in the window, whatever the machine's speed.
   */
  startGapMs = START_GAP_MS;
  /** Makes a start fail with this status (after recording nothing), to test error paths. */
  failStartsWith: number | undefined;
  /**
   * Called for every status query (GET instances/{id}) before it is answered. Returning a status
   * code answers with that code and no body instead of the instance; a test uses it to interleave
   * other work between two queries, or to make the status endpoint fail.
   */
  onStatusQuery: (instanceId: string) => number | undefined = () => undefined;
  /** How many status queries (GET instances/{id}) the fake has answered since the last reset. */
  statusQueries = 0;
  private server: Server | undefined;
  private origin = "";
  private generatedIds = 0;

  constructor(options: FakeDurableExtensionOptions = {}) {
    this.taskHub = options.taskHub ?? "TestHub";
    this.orchestrators = options.orchestrators === undefined ? undefined : new Set(options.orchestrators);
  }

  async listen(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  /**
   * The durable client binding data, shaped as the extension sends it to the worker and as the
   * local host builds it; rpcBaseUrl is the extension's own, a path apart from the webhook.
   */
  clientData(): ClientBindingData {
    return {
      ...clientBindingData({ origin: this.origin, taskHubName: this.taskHub, connectionName: "AzureWebJobsStorage", systemKey: "test-key" }),
      rpcBaseUrl: `${this.origin}/durabletask/`,
    };
  }

  /**
   * The check-status payload createCheckStatusResponse builds for a request from `origin`: the
   * binding's management URLs with the instance id filled in and the request's origin.
   */
  checkStatusPayload(origin: string, instanceId: string): Record<string, string> {
    const managementUrls: Record<string, string> = { ...this.clientData().managementUrls };
    return Object.fromEntries(
      Object.entries(managementUrls).map(([key, value]) => [
        key,
        value.replace(this.origin, origin).replace("INSTANCEID", instanceId),
      ]),
    );
  }

  /** Forgets every instance, entity and record and removes the hooks, for a fresh test. */
  reset(): void {
    this.instances.clear();
    this.entities.clear();
    this.raisedEvents.length = 0;
    this.signals.length = 0;
    this.starts.length = 0;
    this.onRaiseEvent = () => {};
    this.onStart = () => {};
    this.failStartsWith = undefined;
    this.purges.length = 0;
    this.failPurgesWith = undefined;
    this.onStatusQuery = () => undefined;
    this.statusQueries = 0;
    this.generatedIds = 0;
  }

  /** Puts an instance in place as if it had been running for a while. */
  addInstance(init: Partial<FakeInstance> & Pick<FakeInstance, "name" | "instanceId">): FakeInstance {
    const now = new Date().toISOString();
    const instance: FakeInstance = {
      runtimeStatus: "Running",
      input: null,
      customStatus: null,
      output: null,
      createdTime: now,
      lastUpdatedTime: now,
      ...init,
    };
    this.instances.set(instance.instanceId, instance);
    return instance;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.origin);
    const body = await readBody(request);
    const segments = url.pathname
      .replace(/^\/(durabletask|runtime\/webhooks\/durabletask)\//, "")
      .split("/")
      .filter((segment) => segment !== "")
      .map(decodeURIComponent);
    const [collection, first, second, third] = segments;
    const send = (status: number, json?: unknown): void => {
      response.writeHead(status, json === undefined ? {} : { "Content-Type": "application/json" });
      response.end(json === undefined ? undefined : JSON.stringify(json));
    };

    if (collection === "orchestrators" && request.method === "POST" && first !== undefined) {
      if (this.failStartsWith !== undefined) return send(this.failStartsWith, { message: "start refused" });
      // The extension answers an ArgumentException (unknown function, '@' id) with this 400.
      const badArgument = (exceptionMessage: string) =>
        send(400, { Message: "One or more of the arguments submitted is incorrect", ExceptionMessage: exceptionMessage });
      if (this.orchestrators !== undefined && !this.orchestrators.has(first)) {
        return badArgument(`The function '${first}' doesn't exist, is disabled, or is not an orchestrator function.`);
      }
      if (second?.startsWith("@") === true) return badArgument("Orchestration instance ids must not start with @.");
      const instanceId = second ?? `generated-${++this.generatedIds}`;
      const input = body === "" ? null : (JSON.parse(body) as unknown);
      const existing = this.instances.get(instanceId);
      if (existing !== undefined && !TERMINAL.has(existing.runtimeStatus)) {
        return send(500, { Message: "An error has occurred.", ExceptionMessage: `An Orchestration instance with the status ${existing.runtimeStatus} already exists.` });
      }
      // Not atomic, like the real provider: a concurrent start of the same id passes the same check.
      await new Promise((resolve) => setTimeout(resolve, this.startGapMs));
      this.starts.push({ name: first, instanceId, input });
      const instance = this.addInstance({ name: first, instanceId, input, runtimeStatus: "Pending" });
      this.onStart(instance);
      return send(202, { id: instanceId });
    }

    if (collection === "instances" && first !== undefined) {
      const instance = this.instances.get(first);
      if (request.method === "GET" && second === undefined) {
        this.statusQueries++;
        const forced = this.onStatusQuery(first);
        if (forced !== undefined) return send(forced);
        const current = this.instances.get(first); // read again: the hook may have changed it
        if (current === undefined) return send(404);
        // Like the extension, showInput=false leaves the (possibly large) input out.
        const shown = url.searchParams.get("showInput") === "false" ? { ...current, input: null } : current;
        return send(TERMINAL.has(current.runtimeStatus) ? 200 : 202, shown);
      }
      if (request.method === "POST" && second === "raiseEvent" && third !== undefined) {
        if (instance === undefined) return send(404);
        if (TERMINAL.has(instance.runtimeStatus)) return send(410);
        const event: RaisedEvent = { instanceId: first, name: third, data: body === "" ? null : (JSON.parse(body) as unknown) };
        this.raisedEvents.push(event);
        this.onRaiseEvent(instance, event);
        return send(202);
      }
      if (request.method === "DELETE" && second === undefined) {
        // The extension's purge: 200 with the count, 404 when there is no such instance.
        if (this.failPurgesWith !== undefined) return send(this.failPurgesWith, { message: "purge refused" });
        if (instance === undefined) return send(404);
        this.instances.delete(first);
        this.purges.push(first);
        return send(200, { instancesDeleted: 1 });
      }
      if (request.method === "POST" && second === "terminate") {
        if (instance === undefined) return send(404);
        if (TERMINAL.has(instance.runtimeStatus)) return send(410);
        instance.runtimeStatus = "Terminated";
        return send(202);
      }
    }

    if (collection === "entities" && first !== undefined && second !== undefined) {
      const key = `@${first.toLowerCase()}@${second}`;
      if (request.method === "POST") {
        const operation = url.searchParams.get("op") ?? "";
        this.signals.push({ entity: first, key: second, operation, input: body === "" ? undefined : (JSON.parse(body) as unknown) });
        return send(202);
      }
      if (request.method === "GET") {
        return this.entities.has(key) ? send(200, this.entities.get(key)) : send(404);
      }
    }
    send(404);
  }

  setEntity(name: string, key: string, state: unknown): void {
    this.entities.set(`@${name.toLowerCase()}@${key}`, state);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * One fake per test file, listening before the file's tests and reset before each of them; the
 * returned object can be used at once, its server starts in beforeAll.
 */
export function useFakeDurableExtension(options?: FakeDurableExtensionOptions): FakeDurableExtension {
  const fake = new FakeDurableExtension(options);
  beforeAll(async () => {
    await fake.listen();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });
  return fake;
}
