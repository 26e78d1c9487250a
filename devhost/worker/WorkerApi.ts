import { timingSafeEqual } from "node:crypto";
import type { FunctionApp } from "../app/FunctionApp.js";
import type { RegisteredFunction } from "../app/functionTypes.js";
import type { HostLogger } from "../app/HostLogger.js";
import { invocationFailure } from "./invocationFailure.js";
import { toTypedData } from "./toTypedData.js";
import { tryJsonParse } from "./tryJsonParse.js";

export interface WorkerApiOptions {
  app: FunctionApp;
  /** REALHOST_WORKER_TOKEN: every request must carry it in the x-realhost-worker-token header. */
  token: string;
  /** host.json `extensions.http.routePrefix`, reported with the functions. */
  routePrefix: string;
  logger: HostLogger;
}

/** A function as GET /__worker/functions lists it; the HTTP details only for HTTP triggers. */
export interface WorkerFunction {
  name: string;
  triggerType: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}

const TOKEN_HEADER = "x-realhost-worker-token";

/**
 * The routes the realhost's .NET host drives the worker through, under /__worker/ on the worker's
 * HTTP port, in place of the Functions host's gRPC channel:
 *
 * - GET /__worker/functions: the app's functions and triggers, for the .NET host to index;
 * - POST /__worker/configure `{"durableClient": {...}, "websiteHostname": "..."}`: the durable
 *   client's binding data, which the extension produces only once the .NET host runs;
 * - POST /__worker/invoke `{"name": "...", "payload": "<trigger value as text>" | null}`: runs a
 *   non-HTTP function (the durable triggers) and answers `{"ok": true, "data": <TypedData>}` or
 *   `{"ok": false, "message": "...", "stack": "..."}`.
 *
 * HTTP triggers are not invoked here: the .NET front door proxies their requests to the worker's
 * port, where the devhost's HttpServer serves them. The port is on 127.0.0.1 only, and the token
 * keeps other local processes from running the app's functions through it.
 */
export class WorkerApi {
  static readonly pathPrefix = "/__worker/";

  readonly #options: WorkerApiOptions;
  readonly #token: Buffer;
  /** The durableClient binding data; undefined until the .NET host has configured the worker. */
  #clientData: object | undefined;

  constructor(options: WorkerApiOptions) {
    this.#options = options;
    this.#token = Buffer.from(options.token);
  }

  /**
   * The durableClient binding data for HTTP functions that declare the input. Before configure it
   * logs why and throws, and the HTTP server answers the request 500: the binding data names the
   * extension's endpoints, which only the .NET host knows.
   */
  durableClientData(): object {
    if (this.#clientData !== undefined) return this.#clientData;
    const message = "A function with a durableClient input was called before the host configured the worker's durable client (POST /__worker/configure); it fails until then.";
    this.#options.logger.log("error", message);
    throw new Error(message);
  }

  async handle(request: Request): Promise<Response> {
    if (!this.#authorized(request)) return problem(401, "unauthorized", `Send the worker's token (REALHOST_WORKER_TOKEN) in the ${TOKEN_HEADER} header.`);
    const path = new URL(request.url).pathname.toLowerCase();
    switch (path) {
      case "/__worker/functions":
        return request.method === "GET" ? this.#functions() : methodNotAllowed("GET");
      case "/__worker/configure":
        return request.method === "POST" ? this.#configure(await jsonBody(request)) : methodNotAllowed("POST");
      case "/__worker/invoke":
        return request.method === "POST" ? this.#invoke(await jsonBody(request)) : methodNotAllowed("POST");
      default:
        return problem(404, "not_found", `No worker endpoint ${path}; there are /__worker/functions, /__worker/configure and /__worker/invoke.`);
    }
  }

  /** Compared in constant time, so response times tell nothing about the token. */
  #authorized(request: Request): boolean {
    const sent = Buffer.from(request.headers.get(TOKEN_HEADER) ?? "");
    return sent.length === this.#token.length && timingSafeEqual(sent, this.#token);
  }

  #functions(): Response {
    return Response.json({ routePrefix: this.#options.routePrefix, functions: this.#options.app.list().map(describeFunction) });
  }

  #configure(body: unknown): Response {
    const { durableClient, websiteHostname } = asRecord(body);
    if (!isObject(durableClient) || typeof websiteHostname !== "string") {
      return problem(400, "bad_request", 'The body must be {"durableClient": <binding data object>, "websiteHostname": "<host:port>"}.');
    }
    // durable-functions builds the URLs of createCheckStatusResponse and the management payload from
    // WEBSITE_HOSTNAME, and without it rewrites the binding data's URLs to http://localhost:7071.
    process.env.WEBSITE_HOSTNAME = websiteHostname;
    this.#clientData = durableClient;
    return new Response(null, { status: 204 });
  }

  async #invoke(body: unknown): Promise<Response> {
    const { name, payload } = asRecord(body);
    if (typeof name !== "string" || (typeof payload !== "string" && payload !== null)) {
      return problem(400, "bad_request", 'The body must be {"name": "<function name>", "payload": "<the trigger value as text>" or null}.');
    }
    const { app } = this.#options;
    const fn = app.get(name);
    if (fn === undefined) return problem(404, "not_found", `The app has no function named '${name}'.`);
    if (fn.trigger.type === "httpTrigger") return problem(404, "not_found", `'${name}' is an HTTP function: its requests go to the worker's HTTP port, not /__worker/invoke.`);
    const declaresClient = Object.values(fn.bindings).some((binding) => binding.direction === "in" && binding.type === "durableClient");
    if (declaresClient && this.#clientData === undefined) {
      return problem(409, "not_configured", `'${name}' has a durableClient input, and the worker's durable client is not configured yet (POST /__worker/configure).`);
    }
    try {
      // A null trigger value (an activity called without input) is a TypedData with nothing set,
      // which @azure/functions hands the function as undefined.
      const data = await app.invoke(name, payload === null ? undefined : tryJsonParse(payload), {
        convertResult: toTypedData,
        // The WebJobs host writes its own Executing/Executed lines for the functions it invokes.
        logExecution: false,
        ...(declaresClient ? { extraInputs: { durableClient: this.#clientData } } : {}),
      });
      return Response.json({ ok: true, data });
    } catch (error) {
      return Response.json({ ok: false, ...invocationFailure(error) });
    }
  }
}

/**
 * The function's trigger as the app registered it. The route, methods and auth level are given as
 * they are (methods upper-cased) and left out when the app set none: the host applies its defaults,
 * as it does to the metadata the Node worker sends it.
 */
function describeFunction(fn: RegisteredFunction): WorkerFunction {
  const described: WorkerFunction = { name: fn.name, triggerType: fn.trigger.type };
  if (fn.trigger.type !== "httpTrigger") return described;
  const { route, methods, authLevel } = fn.trigger;
  if (typeof route === "string") described.route = route;
  if (Array.isArray(methods)) described.methods = methods.map((method) => method.toUpperCase());
  if (typeof authLevel === "string") described.authLevel = authLevel;
  return described;
}

/** The parsed JSON body, or undefined for an empty or malformed one (answered 400 by the caller's checks). */
async function jsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null && !Array.isArray(value);

const asRecord = (value: unknown): Record<string, unknown> => (isObject(value) ? (value as Record<string, unknown>) : {});

const problem = (status: number, error: string, message: string): Response => Response.json({ error, message }, { status });

const methodNotAllowed = (allow: string): Response =>
  Response.json({ error: "method_not_allowed", message: `Use ${allow}.` }, { status: 405, headers: { Allow: allow } });
