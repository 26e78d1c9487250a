import { setTimeout as sleep } from "node:timers/promises";
import { ClientError } from "../client/ClientError.js";
import type { TaskHubClient } from "../client/TaskHubClient.js";
import { isFinished } from "../protocol/runtimeStatus.js";
import { checkStatusResponse } from "./checkStatusResponse.js";
import { compactJson } from "./compactJson.js";
import { CONTINUATION_HEADER } from "./continuationHeader.js";
import { emptyResponse } from "./emptyResponse.js";
import { errorResponse } from "./errorResponse.js";
import { historyJson } from "./historyJson.js";
import { jsonResponse } from "./jsonResponse.js";
import { jsonToken } from "./jsonToken.js";
import { mediaType } from "./mediaType.js";
import type { QueryParameters } from "./QueryParameters.js";
import { statusResponse } from "./statusResponse.js";

export interface InstanceApiOptions {
  client: TaskHubClient;
  taskHubName: string;
  connectionName: string;
  /** Carried as code=… in the management URLs of a start's answer. */
  systemKey: string;
}

/** The extension's default page size for instance listings. */
const DEFAULT_PAGE_SIZE = 100;
const ACCEPTED_STATUSES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/**
 * The orchestration half of the extension's HTTP API (HttpApiHandler.cs): starts, status queries
 * and listings, events, terminate/suspend/resume/rewind, restart and purges. Refusals the
 * extension turns into the general 400/500 answers are thrown as ClientErrors for the router.
 */
export class InstanceApi {
  constructor(private readonly options: InstanceApiOptions) {}

  /** POST orchestrators/{name}/{id?}: 202 with the check-status payload, or (timeout+pollingInterval) the outcome. */
  async start(request: Request, query: QueryParameters, name: string, instanceId: string | undefined): Promise<Response> {
    const body = await request.text();
    let input: string | undefined;
    if (body.trim() !== "") {
      try {
        JSON.parse(body);
      } catch (error) {
        return invalidJson(error);
      }
      // The text as sent, not as JSON.parse reads it: large integers keep their digits.
      const text = compactJson(body);
      // The extension deserialises the body to an object: JSON null is no input at all.
      input = text === "null" ? undefined : text;
    }
    const id = await this.options.client.startNew(name, { instanceId, input });
    return this.started(request, query, id);
  }

  /** GET instances/{id}: 200 when finished (Failed: 500 on request), 202 with Location and Retry-After while not, 404 unknown. */
  async status(request: Request, query: QueryParameters, instanceId: string, failureAsError?: boolean): Promise<Response> {
    const instance = await this.options.client.getStatus(instanceId);
    if (instance === undefined) return emptyResponse(404);
    const showInput = query.boolean("showInput") ?? true;
    const historyEvents =
      (query.boolean("showHistory") ?? false) && instance.runtimeStatus !== "Pending"
        ? historyJson(await this.options.client.getHistory(instance), {
            showInput,
            showHistoryOutput: query.boolean("showHistoryOutput") ?? false,
            runtimeStatus: instance.runtimeStatus,
          })
        : undefined;
    const body = statusResponse(instance, showInput, historyEvents);
    if (ACCEPTED_STATUSES.has(instance.runtimeStatus)) {
      // Ask for 5 seconds between polls, as the extension does: some clients would poll in a tight loop.
      return jsonResponse(202, body, { Location: request.url, "Retry-After": "5" });
    }
    const failed = instance.runtimeStatus === "Failed" && (failureAsError ?? query.boolean("returnInternalServerErrorOnFailure") ?? false);
    return jsonResponse(failed ? 500 : 200, body);
  }

  /** GET instances/: a page of statuses; the continuation header is always there, empty on the last page. */
  async list(request: Request, query: QueryParameters): Promise<Response> {
    const continuationToken = request.headers.get(CONTINUATION_HEADER) ?? undefined;
    const createdTimeFrom = query.dateTime("createdTimeFrom");
    const createdTimeTo = query.dateTime("createdTimeTo");
    const runtimeStatus = query.runtimeStatuses("runtimeStatus");
    const instanceIdPrefix = query.string("instanceIdPrefix");
    const top = query.integer("top");
    const page = await this.options.client.listInstances({
      top: top !== undefined && top > 0 ? top : DEFAULT_PAGE_SIZE,
      ...(createdTimeFrom === undefined ? {} : { createdTimeFrom }),
      ...(createdTimeTo === undefined ? {} : { createdTimeTo }),
      ...(runtimeStatus === undefined ? {} : { runtimeStatus }),
      ...(instanceIdPrefix === undefined ? {} : { instanceIdPrefix }),
      ...(continuationToken === undefined || continuationToken === "" ? {} : { continuationToken }),
    });
    const showInput = query.boolean("showInput") ?? true;
    return jsonResponse(
      200,
      page.items.map((instance) => statusResponse(instance, showInput)),
      { [CONTINUATION_HEADER]: page.continuationToken ?? "" },
    );
  }

  /** POST instances/{id}/raiseEvent/{name}: 202; 404 unknown; 410 finished; 400 not JSON. */
  async raiseEvent(request: Request, instanceId: string, eventName: string): Promise<Response> {
    const instance = await this.options.client.getStatus(instanceId);
    if (instance === undefined) return emptyResponse(404);
    if (isFinished(instance.runtimeStatus)) return emptyResponse(410);
    if (mediaType(request) !== "application/json") return errorResponse(400, "Only application/json request content is supported");
    const body = await request.text();
    try {
      JSON.parse(body);
    } catch (error) {
      return invalidJson(error);
    }
    await this.options.client.raiseEvent(instanceId, eventName, compactJson(body));
    return emptyResponse(202);
  }

  /** POST instances/{id}/{terminate|suspend|resume|rewind}?reason=: 202; 404; 410; 500 when the state does not allow it. */
  async operation(query: QueryParameters, instanceId: string, operation: "terminate" | "suspend" | "resume" | "rewind"): Promise<Response> {
    const reason = query.string("reason");
    const client = this.options.client;
    if (operation === "rewind") await client.rewind(instanceId);
    else await client[operation](instanceId, reason);
    return emptyResponse(202);
  }

  /** POST instances/{id}/restart?restartWithNewInstanceId=: like a start; 400 when there is no such instance. */
  async restart(request: Request, query: QueryParameters, instanceId: string): Promise<Response> {
    try {
      const id = await this.options.client.restart(instanceId, query.boolean("restartWithNewInstanceId") ?? true);
      return await this.started(request, query, id);
    } catch (error) {
      // The extension answers every ArgumentException of a restart with this message, whatever its cause.
      if (error instanceof ClientError && error.kind === "badArgument") {
        return errorResponse(400, "InstanceId does not match a valid orchestration instance.", { message: error.message, exceptionType: "System.ArgumentException" });
      }
      throw error;
    }
  }

  /** DELETE instances/{id}: 200 with the count, 404 unknown. */
  async purge(instanceId: string): Promise<Response> {
    const instancesDeleted = await this.options.client.purgeInstance(instanceId);
    return instancesDeleted === 0 ? emptyResponse(404) : jsonResponse(200, { instancesDeleted });
  }

  /** DELETE instances/?createdTimeFrom=…: 200 with the count; 404 when nothing matched; 400 without createdTimeFrom. */
  async purgeMany(query: QueryParameters): Promise<Response> {
    const createdTimeFrom = query.dateTime("createdTimeFrom");
    if (createdTimeFrom === undefined) return jsonResponse(400, "Please provide value for 'createdTimeFrom' parameter.");
    const instancesDeleted = await this.options.client.purgeInstances({
      createdTimeFrom,
      createdTimeTo: query.dateTime("createdTimeTo"),
      runtimeStatus: query.runtimeStatuses("runtimeStatus"),
    });
    return instancesDeleted === 0 ? emptyResponse(404) : jsonResponse(200, { instancesDeleted });
  }

  /** The answer to a start or restart: the check-status 202, or with timeout and pollingInterval the outcome if it comes in time. */
  private async started(request: Request, query: QueryParameters, instanceId: string): Promise<Response> {
    const timeout = query.seconds("timeout");
    const pollingInterval = query.seconds("pollingInterval");
    if (timeout === undefined || pollingInterval === undefined) return this.checkStatus(request, instanceId);
    if (pollingInterval > timeout) {
      throw new ClientError("badArgument", `Total timeout ${timeout / 1000} should be bigger than retry timeout ${pollingInterval / 1000}`);
    }
    const deadline = Date.now() + timeout;
    for (;;) {
      const instance = await this.options.client.getStatus(instanceId);
      if (instance?.runtimeStatus === "Completed") return jsonResponse(200, jsonToken(instance.output));
      if (instance !== undefined && isFinished(instance.runtimeStatus)) return this.status(request, query, instanceId, false);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return this.checkStatus(request, instanceId);
      await sleep(Math.min(remaining, pollingInterval));
    }
  }

  private checkStatus(request: Request, instanceId: string): Response {
    const { taskHubName, connectionName, systemKey } = this.options;
    return checkStatusResponse({ origin: new URL(request.url).origin, instanceId, taskHubName, connectionName, systemKey });
  }
}

function invalidJson(error: unknown): Response {
  return errorResponse(400, "Invalid JSON content", {
    message: error instanceof Error ? error.message : String(error),
    exceptionType: "Newtonsoft.Json.JsonReaderException",
  });
}
