import { ClientError } from "../client/ClientError.js";
import type { TaskHubClient } from "../client/TaskHubClient.js";
import { WEBHOOK_PATH } from "../client/webhookPath.js";
import { emptyResponse } from "./emptyResponse.js";
import { EntityApi } from "./EntityApi.js";
import { errorResponse } from "./errorResponse.js";
import { InstanceApi } from "./InstanceApi.js";
import { jsonResponse } from "./jsonResponse.js";
import { QueryParameters } from "./QueryParameters.js";

export interface DurableHttpApiOptions {
  client: TaskHubClient;
  /** Named in the management URLs the API hands out; requests naming another hub are served from this one. */
  taskHubName: string;
  connectionName: string;
  /** Carried as code=… in the URLs the API hands out; requests are not checked for it (Core Tools does not either). */
  systemKey: string;
}

const INSTANCE_OPERATIONS = ["terminate", "suspend", "resume", "rewind"] as const;

/**
 * The Durable extension's built-in HTTP API under /runtime/webhooks/durabletask/ (also the
 * rpcBaseUrl that durable-functions' DurableClient calls), routed as HttpApiHandler.cs routes it:
 * route literals in any case, a trailing slash or none, and 404 both for unknown routes and for
 * known routes with another method (the extension has no 405).
 */
export class DurableHttpApi {
  private readonly instances: InstanceApi;
  private readonly entities: EntityApi;

  constructor(options: DurableHttpApiOptions) {
    this.instances = new InstanceApi(options);
    this.entities = new EntityApi(options.client);
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const segments = routeSegments(url.pathname);
    if (segments === undefined) return emptyResponse(404);
    try {
      return (await this.route(request, new QueryParameters(url.searchParams), segments)) ?? emptyResponse(404);
    } catch (error) {
      return failure(error);
    }
  }

  private route(request: Request, query: QueryParameters, segments: readonly string[]): Promise<Response> | undefined {
    const [controller, first, second, third, ...rest] = segments;
    const method = request.method;
    if (rest.length > 0) return undefined;
    switch (controller?.toLowerCase()) {
      case "orchestrators":
        return method === "POST" && first !== undefined && third === undefined ? this.instances.start(request, query, first, second) : undefined;
      case "entities":
        if (third !== undefined) return undefined;
        if (method === "GET") {
          return second !== undefined && second !== "" ? this.entities.read(first ?? "", second) : this.entities.list(request, query, first);
        }
        return method === "POST" || method === "DELETE" ? this.entities.signal(request, query, first ?? "", second ?? "") : undefined;
      case "instances":
        return this.instanceRoute(request, query, method, first, second, third);
      default:
        return undefined;
    }
  }

  private instanceRoute(
    request: Request,
    query: QueryParameters,
    method: string,
    instanceId: string | undefined,
    operation: string | undefined,
    eventName: string | undefined,
  ): Promise<Response> | undefined {
    if (instanceId === undefined) {
      if (method === "GET") return this.instances.list(request, query);
      return method === "DELETE" ? this.instances.purgeMany(query) : undefined;
    }
    if (operation === undefined) {
      if (method === "GET") return this.instances.status(request, query, instanceId);
      return method === "DELETE" ? this.instances.purge(instanceId) : undefined;
    }
    if (method !== "POST") return undefined;
    const lower = operation.toLowerCase();
    if (eventName !== undefined) return lower === "raiseevent" ? this.instances.raiseEvent(request, instanceId, eventName) : undefined;
    if (lower === "restart") return this.instances.restart(request, query, instanceId);
    const known = INSTANCE_OPERATIONS.find((candidate) => candidate === lower);
    return known === undefined ? undefined : this.instances.operation(query, instanceId, known);
  }
}

/**
 * The path's segments after the webhook prefix (decoded), or undefined when the path is not the
 * webhook's. Like the extension, surrounding slashes do not count; an empty inner segment or a
 * malformed escape matches no route.
 */
function routeSegments(pathname: string): string[] | undefined {
  if (!pathname.toLowerCase().startsWith(WEBHOOK_PATH)) return undefined;
  const rest = pathname.slice(WEBHOOK_PATH.length);
  if (rest !== "" && !rest.startsWith("/")) return undefined;
  const trimmed = rest.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  try {
    const segments = trimmed.split("/").map(decodeURIComponent);
    return segments.includes("") ? [""] : segments;
  } catch {
    return [""];
  }
}

/** The extension's catch-all: ArgumentExceptions are a 400, anything else a 500, both with the exception. */
function failure(error: unknown): Response {
  if (!(error instanceof ClientError)) {
    const exception = error instanceof Error ? { message: error.message, exceptionType: error.name } : { message: String(error), exceptionType: "Error" };
    return errorResponse(500, "Something went wrong while processing your request", exception);
  }
  switch (error.kind) {
    case "notFound":
      return emptyResponse(404);
    case "finished":
      return emptyResponse(410);
    case "badArgument":
      return errorResponse(400, "One or more of the arguments submitted is incorrect", { message: error.message, exceptionType: "System.ArgumentException" });
    case "notSupported":
      // durable-functions' rewind reports a 501's body as the error message.
      return jsonResponse(501, error.message);
    case "invalidState":
      return errorResponse(500, "Something went wrong while processing your request", { message: error.message, exceptionType: "System.InvalidOperationException" });
    case "alreadyExists":
      return errorResponse(500, "Something went wrong while processing your request", {
        message: error.message,
        exceptionType: "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException",
      });
  }
}
