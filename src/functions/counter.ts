import * as df from "durable-functions";
import type { DurableClient, EntityContext, OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { EntityNames, OrchestratorNames } from "../names.js";
import {
  DEFAULT_COUNTER_ID,
  parseCounterCommand,
  resolveCommandAmount,
  runCounterOperation,
  validateCounterId,
  type CounterCommand,
} from "../logic/counterEntity.js";
import { pollStatus, isTerminal } from "../durable/instances.js";
import { conflict, notFound } from "../http/HttpError.js";
import { readJsonBody, wantsToWait } from "../http/requestBody.js";
import { withJsonErrors, type DurableHttpHandler } from "../http/jsonResponses.js";
import { acceptedResponse } from "../durable/acceptedResponse.js";
import type { HttpRequest } from "@azure/functions";

/**
 * The Counter durable entity (add, reset, get) and its HTTP routes. Writes are signals (202) unless
 * the caller asks for ?wait=true, which runs the operation through a small orchestration that calls
 * the entity and answers with the value the operation produced.
 */

function counterEntity(context: EntityContext<number>): void {
  const current = context.df.getState(() => 0) ?? 0;
  const operation = context.df.operationName ?? "";
  // Runs before any setState, so a refused operation leaves the state exactly as it was.
  const outcome = runCounterOperation(current, operation, context.df.getInput());
  if (operation !== "get") context.df.setState(outcome.state);
  context.df.return(outcome.result);
  // The SDK marks an entity as existing once it returns a value; reading a counter must not create it.
  if (operation === "get" && context.df.isNewlyConstructed) context.df.destructOnExit();
}

interface EntityCallInput {
  id: string;
  operation: CounterCommand["operation"];
  amount?: number;
}

type EntityCallOutput = { ok: true; value: number } | { ok: false; reason: string };

/** Calls the entity and reports its answer, or its refusal, as output instead of failing. */
const counterEntityCall: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { id, operation, amount } = context.df.getInput<EntityCallInput>();
  try {
    const value = (yield context.df.callEntity(counterEntityId(id), operation, amount)) as number;
    return { ok: true, value } satisfies EntityCallOutput;
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) } satisfies EntityCallOutput;
  }
};

export function counterEntityId(id: string): df.EntityId {
  return new df.EntityId(EntityNames.counter, id);
}

/** GET counter and GET counter/{id}. */
const readCounter: DurableHttpHandler = async (request, client) => {
  const requestedId = request.params.id;
  const id = requestedId === undefined || requestedId === "" ? DEFAULT_COUNTER_ID : validateCounterId(requestedId);
  const state = await client.readEntityState<number>(counterEntityId(id));
  if (!state.entityExists) {
    if (id === DEFAULT_COUNTER_ID) return { status: 200, jsonBody: { id, value: 0 } };
    throw notFound("counter_not_found", `No counter with id '${id}' exists.`);
  }
  return { status: 200, jsonBody: { id, value: state.entityState ?? 0 } };
};

export interface WaitTiming {
  pollMs: number;
  timeoutMs: number;
}

export const defaultWaitTiming: WaitTiming = { pollMs: 200, timeoutMs: 30_000 };

/** POST counter/add, counter/reset, counter/{id}, counter/{id}/add, counter/{id}/reset. */
export function createCounterUpdateHandler(timing: WaitTiming): DurableHttpHandler {
  return async (request, client) => {
    const command = parseCounterCommand(request.params.target, request.params.operation);
    const wait = wantsToWait(request);
    const amount = resolveCommandAmount(command.operation, request.query.get("value"), await readJsonBody(request));

    if (!wait) {
      await client.signalEntity(counterEntityId(command.id), command.operation, amount);
      return { status: 202, jsonBody: { id: command.id, operation: command.operation, ...(amount === undefined ? {} : { value: amount }) } };
    }
    const input: EntityCallInput = { id: command.id, operation: command.operation, ...(amount === undefined ? {} : { amount }) };
    return callAndWait(client, request, input, timing);
  };
}

async function callAndWait(client: DurableClient, request: HttpRequest, input: EntityCallInput, timing: WaitTiming) {
  const instanceId = await client.startNew(OrchestratorNames.counterEntityCall, { input });
  const output = await pollStatus(client, instanceId, { intervalMs: timing.pollMs, timeoutMs: timing.timeoutMs }, (status) =>
    isTerminal(status) ? { runtimeStatus: status.runtimeStatus, output: status.output as EntityCallOutput | null } : undefined,
  );
  if (output === undefined) {
    return acceptedResponse(request, `counter/${encodeURIComponent(input.id)}`, { id: input.id, operation: input.operation });
  }
  if (output.output?.ok === true) {
    return { status: 200, jsonBody: { id: input.id, operation: input.operation, value: output.output.value } };
  }
  if (output.output?.ok === false) throw conflict("operation_refused", output.output.reason);
  throw new Error(`The ${OrchestratorNames.counterEntityCall} instance '${instanceId}' ended ${output.runtimeStatus}.`);
}

df.app.entity(EntityNames.counter, counterEntity);
df.app.orchestration(OrchestratorNames.counterEntityCall, counterEntityCall);

df.app.client.http("CounterRead", {
  route: "counter/{id?}",
  methods: ["GET"],
  authLevel: "function",
  handler: withJsonErrors(readCounter),
});

df.app.client.http("CounterUpdate", {
  route: "counter/{target}/{operation?}",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(createCounterUpdateHandler(defaultWaitTiming)),
});
