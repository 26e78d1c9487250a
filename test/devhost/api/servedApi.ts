import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { Clock } from "../../../devhost/clock/Clock.js";
import { clientBindingData, type ClientBindingData } from "../../../devhost/client/clientBinding.js";
import { DurableHttpApi } from "../../../devhost/api/DurableHttpApi.js";
import type { TaskHubStorage } from "../../../devhost/storage/TaskHubStorage.js";
import { taskHubClient, useTaskHub } from "../taskHubFixture.js";

export const CONNECTION_NAME = "Storage";
export const SYSTEM_KEY = "test-system-key";

export interface ServedApi {
  readonly storage: TaskHubStorage;
  readonly api: DurableHttpApi;
  /** http://127.0.0.1:port */
  readonly origin: string;
  /** origin + /runtime/webhooks/durabletask */
  readonly webhook: string;
  readonly binding: ClientBindingData;
}

/** Headers that belong to one hop of the connection, not to the request a Request object describes. */
const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/**
 * The API on a real loopback server for one test file, over a task hub of its own on Azurite: a
 * tiny Node server converting to and from web Requests and Responses, as the host does.
 */
export function useServedApi(prefix: string, clock: Clock): ServedApi {
  const hub = useTaskHub(prefix);
  let server: Server | undefined;
  let served: Omit<ServedApi, "storage"> | undefined;
  beforeAll(async () => {
    const client = taskHubClient(hub.storage, clock);
    const taskHubName = hub.storage.options.taskHubName;
    const api = new DurableHttpApi({ client, taskHubName, connectionName: CONNECTION_NAME, systemKey: SYSTEM_KEY });
    const listening = createServer((incoming, outgoing) => {
      forward(api, origin(listening), incoming, outgoing).catch((error: unknown) => outgoing.writeHead(599).end(String(error)));
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const base = origin(listening);
    served = {
      api,
      origin: base,
      webhook: `${base}/runtime/webhooks/durabletask`,
      binding: clientBindingData({ origin: base, taskHubName, connectionName: CONNECTION_NAME, systemKey: SYSTEM_KEY }),
    };
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });
  const ready = (): Omit<ServedApi, "storage"> => {
    if (served === undefined) throw new Error("The API is served from beforeAll on.");
    return served;
  };
  return {
    get storage() {
      return hub.storage;
    },
    get api() {
      return ready().api;
    },
    get origin() {
      return ready().origin;
    },
    get webhook() {
      return ready().webhook;
    },
    get binding() {
      return ready().binding;
    },
  };
}

function origin(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function forward(api: DurableHttpApi, base: string, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (HOP_HEADERS.has(name)) continue;
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(new URL(incoming.url ?? "/", base), { method, headers, ...(hasBody ? { body: Buffer.concat(chunks) } : {}) });
  const response = await api.handle(request);
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}
