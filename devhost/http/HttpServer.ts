import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FunctionApp } from "../app/FunctionApp.js";
import { withoutQuery, type HostLogger } from "../app/HostLogger.js";
import { DEFAULT_MAX_REQUEST_BODY_SIZE, readRequestBody } from "./readRequestBody.js";
import { RouteTable, type HttpRoute } from "./RouteTable.js";
import { toFunctionResponse } from "./toFunctionResponse.js";
import { toHttpRequestInit } from "./toHttpRequestInit.js";
import { toWebRequest } from "./toWebRequest.js";
import { writeFunctionResponse } from "./writeFunctionResponse.js";
import { corsResponse, type CorsSettings } from "./corsResponse.js";
import { writeWebResponse } from "./writeWebResponse.js";

/** A route the host serves itself, ahead of the app's routes: the durable API, the admin API. */
export interface SystemRoute {
  /** Matched case-insensitively against the start of the request path, e.g. "/runtime/webhooks/durabletask/". */
  pathPrefix: string;
  handle(request: Request): Promise<Response>;
}

export interface HttpServerOptions {
  app: FunctionApp;
  logger: HostLogger;
  /** Default 7071, as Core Tools; 0 picks a free port (see `port` once started). */
  port?: number;
  /** host.json `extensions.http.routePrefix`; default "api", "" for none. */
  routePrefix?: string;
  systemRoutes?: readonly SystemRoute[];
  /** The durableClient binding data for functions that declare a durable client input. */
  durableClientData?: () => unknown;
  /** Default 100 MB, the host's limit; larger bodies get 413. */
  maxRequestBodySize?: number;
  /**
   * The answer when a route matches the path but not the method. The host answers 404 (it treats
   * the method as part of the route); 405 with an Allow header, the default here, says what is wrong.
   */
  methodMismatchStatus?: 404 | 405;
  /** local.settings.json Host.CORS / Host.CORSCredentials; no CORS headers when absent. */
  cors?: CorsSettings | undefined;
}

/** Core Tools' Reason for HTTP-triggered invocations. */
const HTTP_REASON = "This function was programmatically called via the host APIs.";

/** How long `close()` lets responses still being written finish before it cuts their connections. */
const CLOSE_GRACE_MS = 5_000;

/** The host's HTTP front end on 127.0.0.1: the app's httpTrigger routes behind its own system routes. */
export class HttpServer {
  readonly routeTable: RouteTable;
  readonly #options: HttpServerOptions;
  #server: Server | undefined;
  #closing = false;

  /** Throws for a route template the host would refuse; logs the functions it maps no route for. */
  constructor(options: HttpServerOptions) {
    this.#options = options;
    this.routeTable = new RouteTable(options.app.list(), options.routePrefix ?? "api");
    for (const { functionName, message } of this.routeTable.errors) options.logger.log("error", `The '${functionName}' function is in error: ${message}`);
  }

  /** The bound port; only once started. */
  get port(): number {
    const address = this.#server?.address();
    if (address === null || address === undefined || typeof address === "string") throw new Error("The HTTP server is not listening.");
    return address.port;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#options.port ?? 7071, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
  }

  /** Stops accepting, ends idle keep-alive connections now and the others once their response is written. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cutOff.unref();
    await closed;
    clearTimeout(cutOff);
    this.#server = undefined;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#closing) response.shouldKeepAlive = false;
    // A keep-alive connection that was busy when close() began becomes idle here: end it then.
    response.once("finish", () => {
      if (this.#closing) setImmediate(() => this.#server?.closeIdleConnections());
    });
    const target = request.url ?? "/";
    try {
      let parsed: URL;
      try {
        parsed = new URL(`http://${request.headers.host ?? `127.0.0.1:${this.port}`}${target}`);
      } catch {
        return end(response, 400); // a Host header or target no URL can be made of
      }
      // Dot segments resolved (still percent-encoded), as Kestrel resolves them before any routing.
      const rawPath = parsed.pathname;
      const url = parsed.href;
      const cors = corsResponse(this.#options.cors, request);
      if (cors !== undefined) {
        for (const [name, value] of Object.entries(cors.headers)) response.setHeader(name, value);
        if (cors.preflight) return end(response, 204);
      }
      const systemRoute = this.#options.systemRoutes?.find((route) => rawPath.toLowerCase().startsWith(route.pathPrefix.toLowerCase()));
      if (systemRoute !== undefined) return await this.#serveSystemRoute(systemRoute, request, response, url);
      const resolution = this.routeTable.resolve(request.method ?? "GET", rawPath);
      if (resolution.kind === "notFound") return end(response, 404);
      if (resolution.kind === "methodNotAllowed") {
        if ((this.#options.methodMismatchStatus ?? 405) === 404) return end(response, 404);
        response.setHeader("Allow", resolution.allow.join(", "));
        return end(response, 405);
      }
      await this.#serveFunction(resolution.route, resolution.params, request, response, url);
    } catch (error) {
      // A client that goes away mid-response is routine, not a host error.
      const clientLeft = error instanceof Error && (error as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE";
      const description = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#options.logger.log(clientLeft ? "debug" : "error", `Request ${request.method ?? "GET"} ${withoutQuery(target)} failed: ${description}`);
      if (!response.headersSent) end(response, 500);
      else response.destroy();
    }
  }

  async #serveSystemRoute(route: SystemRoute, request: IncomingMessage, response: ServerResponse, url: string): Promise<void> {
    const body = await this.#readBody(request, response);
    if (body === undefined) return;
    await writeWebResponse(response, await route.handle(toWebRequest(request, url, body)));
  }

  async #serveFunction(route: HttpRoute, params: Record<string, string>, request: IncomingMessage, response: ServerResponse, url: string): Promise<void> {
    const body = await this.#readBody(request, response);
    if (body === undefined) return;
    const { app, durableClientData } = this.#options;
    const declaresClient = Object.values(route.fn.bindings).some((binding) => binding.direction === "in" && binding.type === "durableClient");
    let result: ReturnType<typeof toFunctionResponse>;
    try {
      result = (await app.invoke(route.fn.name, new app.library.HttpRequest(toHttpRequestInit(request, url, body, params)), {
        reason: HTTP_REASON,
        traceParent: singleHeader(request, "traceparent"),
        traceState: singleHeader(request, "tracestate"),
        ...(declaresClient && durableClientData !== undefined ? { extraInputs: { durableClient: durableClientData() } } : {}),
        convertResult: (value) => toFunctionResponse(app.library, value),
      })) as ReturnType<typeof toFunctionResponse>;
    } catch {
      // The invocation has logged its failure; the host answers a failed function with an empty 500.
      return end(response, 500);
    }
    await writeFunctionResponse(response, result);
  }

  /** The body, or undefined once a 413 has been sent for a body over the limit. */
  async #readBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer | undefined> {
    const body = await readRequestBody(request, this.#options.maxRequestBodySize ?? DEFAULT_MAX_REQUEST_BODY_SIZE);
    if (body === undefined) {
      // The rest of the body is not read, so the connection cannot be reused.
      response.shouldKeepAlive = false;
      end(response, 413);
    }
    return body;
  }
}

function end(response: ServerResponse, status: number): void {
  response.statusCode = status;
  response.end();
}


function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}
