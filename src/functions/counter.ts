import * as df from "durable-functions";
import type { DurableClient, EntityContext, OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { EntityNames, OrchestratorNames, TelemetryEventNames } from "../names.js";
import { trackEvent } from "../telemetry.js";
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
import type { HttpRequest, InvocationContext } from "@azure/functions";

/**
 * The Counter durable entity (add, reset, get) and its HTTP routes. Writes are signals (202) unless
 * the caller asks for ?wait=true, which runs the operation through a small orchestration that calls
 * the entity and answers with the value the operation produced.
 */

function counterEntity(context: EntityContext<number>): void {
  // getState is typed `number | undefined` even with an initializer; `?? 0` alone covers both.
  const current = context.df.getState() ?? 0;
  const operation = context.df.operationName ?? "";
  // Runs before any setState, so a refused operation leaves the state exactly as it was.
  const outcome = runCounterOperation(current, operation, context.df.getInput());
  if (operation !== "get") context.df.setState(outcome.state);
  context.df.return(outcome.result);
  // context.df.return() marks the entity as existing. The HTTP reads never run the entity (they use
  // readEntityState), but an orchestration's callEntity "get" or a signalled "get" does: on a
  // counter nobody has written, that must not create it (GET counter/{id} would then answer 0, not 404).
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
  return async (request, client, context) => {
    const command = parseCounterCommand(request.params.target, request.params.operation);
    const wait = wantsToWait(request);
    const amount = resolveCommandAmount(command.operation, request.query.get("value"), await readJsonBody(request));
    const input: EntityCallInput = { id: command.id, operation: command.operation, ...(amount === undefined ? {} : { amount }) };

    if (!wait) {
      await client.signalEntity(counterEntityId(command.id), command.operation, amount);
      reportOperation(context, input, "signalled");
      return { status: 202, jsonBody: { id: command.id, operation: command.operation, ...(amount === undefined ? {} : { value: amount }) } };
    }
    return callAndWait(client, context, request, input, timing);
  };
}

async function callAndWait(
  client: DurableClient,
  context: InvocationContext,
  request: HttpRequest,
  input: EntityCallInput,
  timing: WaitTiming,
) {
  const instanceId = await client.startNew(OrchestratorNames.counterEntityCall, { input });
  const output = await pollStatus(context, instanceId, { intervalMs: timing.pollMs, timeoutMs: timing.timeoutMs }, (status) =>
    isTerminal(status) ? { runtimeStatus: status.runtimeStatus, output: status.output as EntityCallOutput | string | null } : undefined,
  );
  if (output === undefined) {
    // Still running, so not purged: purging it now would throw away the operation in flight.
    reportOperation(context, input, "pending");
    return acceptedResponse(request, `counter/${encodeURIComponent(input.id)}`, { id: input.id, operation: input.operation });
  }
  // Its answer has been read and nothing else will ask for it: one instance per request would
  // otherwise stay in the task hub's history and instances tables forever.
  await purgeQuietly(client, context, instanceId);
  const result = output.output;
  if (typeof result === "object" && result !== null) {
    reportOperation(context, input, result.ok ? "applied" : "refused");
    if (result.ok) return { status: 200, jsonBody: { id: input.id, operation: input.operation, value: result.value } };
    throw conflict("operation_refused", result.reason);
  }
  // The failure's details go to the log with this error: the instance that held them is purged.
  const detail = typeof result === "string" ? `: ${result}` : ".";
  throw new Error(`The ${OrchestratorNames.counterEntityCall} instance '${instanceId}' ended ${output.runtimeStatus}${detail}`);
}

/** One CounterOperation event per HTTP request: signalled (202), or applied, refused or pending (?wait=true). */
function reportOperation(
  context: InvocationContext,
  input: EntityCallInput,
  outcome: "signalled" | "applied" | "refused" | "pending",
): void {
  trackEvent(
    context,
    TelemetryEventNames.counterOperation,
    { counterId: input.id, operation: input.operation, outcome },
    input.amount === undefined ? {} : { amount: input.amount },
  );
}

/** A purge that fails costs only a leftover instance, never the caller's answer. */
async function purgeQuietly(client: DurableClient, context: InvocationContext, instanceId: string): Promise<void> {
  try {
    await client.purgeInstanceHistory(instanceId);
  } catch (error) {
    context.warn(
      `Could not purge the finished ${OrchestratorNames.counterEntityCall} instance '${instanceId}':`,
      error instanceof Error ? error.message : error,
    );
  }
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
