import * as df from "durable-functions";
import { isStartableOrchestrator, type StartableOrchestrator } from "../names.js";
import { validateStartInput } from "../logic/startInputs.js";
import { validateResourceId } from "../logic/resourceIds.js";
import { startSingleton } from "../durable/startSingleton.js";
import { SingletonClaims } from "../storage/SingletonClaims.js";
import { monitorAllowedHosts } from "../settings.js";
import { conflict, notFound } from "../http/HttpError.js";
import { readJsonBody } from "../http/requestBody.js";
import { withJsonErrors, type DurableHttpHandler } from "../http/jsonResponses.js";
import type { HttpRequest } from "@azure/functions";

/**
 * HTTP starters. Only the orchestrators in names.ts's startable list can be started, and each
 * one's input is validated before anything starts.
 */

async function startableRequest(request: HttpRequest): Promise<{ name: StartableOrchestrator; input: unknown }> {
  const name = request.params.functionName ?? "";
  if (!isStartableOrchestrator(name)) {
    throw notFound("unknown_orchestrator", `There is no startable orchestrator named '${name.slice(0, 100)}'.`);
  }
  const input = validateStartInput(name, await readJsonBody(request), { monitorAllowedHosts });
  // startNew sends an undefined input as the JSON string "" (axios encodes the empty body), which
  // E1_HelloSequence would then refuse; null arrives as null, meaning "no input".
  return { name, input: input ?? null };
}

/** POST orchestrators/{functionName}: a new instance with a generated id. */
const startOrchestration: DurableHttpHandler = async (request, client, context) => {
  const { name, input } = await startableRequest(request);
  const instanceId = await client.startNew(name, { input });
  context.log(`Started orchestration '${name}' with ID = '${instanceId}'.`);
  return client.createCheckStatusResponse(request, instanceId);
};

/** POST orchestrators/{functionName}/{instanceId}: at most one live instance per id, even under races. */
const startSingletonOrchestration: DurableHttpHandler = async (request, client, context) => {
  const instanceId = validateResourceId(request.params.instanceId, "instance id");
  const { name, input } = await startableRequest(request);
  // The hub the extension resolved from host.json, not a setting read a second time here.
  const claims = await SingletonClaims.forTaskHub(client.taskHubName);
  const result = await startSingleton(client, context, claims, name, instanceId, input);
  if (result === "exists") throw conflict("instance_exists", `An instance with ID '${instanceId}' already exists.`);
  context.log(`Started orchestration '${name}' with ID = '${instanceId}'.`);
  return client.createCheckStatusResponse(request, instanceId);
};

df.app.client.http("HttpStart", {
  route: "orchestrators/{functionName}",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(startOrchestration),
});

df.app.client.http("HttpStartSingle", {
  route: "orchestrators/{functionName}/{instanceId}",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(startSingletonOrchestration),
});
