import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus, OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { EventNames, OrchestratorNames } from "../names.js";
import {
  applyToValue,
  E3_LIMITS,
  forgetExpired,
  hasApplied,
  isCounterOperationName,
  nextExpiryMs,
  parseCounterOperation,
  readCounterStatus,
  remember,
  stateFromInput,
  stateToInput,
  statusOf,
  type CounterOperation,
  type E3CounterState,
} from "../logic/e3CounterState.js";
import { validateResourceId } from "../logic/resourceIds.js";
import { findInstance, isTerminal, pollStatus } from "../durable/instances.js";
import { badRequest, gone, notFound } from "../http/HttpError.js";
import { withJsonErrors, type DurableHttpHandler } from "../http/jsonResponses.js";
import { acceptedResponse } from "../durable/acceptedResponse.js";

/**
 * E3_Counter, the eternal orchestration of the stateful-singleton walkthrough, made safe for bursts:
 * it continues as new only after a quiet second or every E3_LIMITS.opsPerGeneration operations (not
 * after every event), remembers recent operation ids so a resent operation applies once, and
 * reports applied ids in customStatus so the HTTP endpoint can confirm them.
 */
const e3Counter: OrchestrationHandler = function* (context: OrchestrationContext) {
  const nowMs = (): number => context.df.currentUtcDateTime.getTime();
  let state = forgetExpired(stateFromInput(context.df.getInput()), nowMs());
  let opsThisGeneration = 0;
  context.df.setCustomStatus(statusOf(state));

  for (;;) {
    if (!context.df.isReplaying) context.log(`Current counter state is ${state.value}. Waiting for next operation.`);

    const operationEvent = context.df.waitForExternalEvent(EventNames.counterOperation);
    const wakeAt = opsThisGeneration > 0 ? nowMs() + E3_LIMITS.idleSeconds * 1000 : nextExpiryMs(state);
    let payload: unknown;
    if (wakeAt === undefined) {
      payload = yield operationEvent;
    } else {
      const timer = context.df.createTimer(new Date(wakeAt));
      const winner: unknown = yield context.df.Task.any([operationEvent, timer]);
      if (winner === timer) {
        // Quiet (or remembered ids are due to expire): start a fresh, empty history.
        context.df.continueAsNew(stateToInput(forgetExpired(state, nowMs())));
        return;
      }
      timer.cancel();
      payload = operationEvent.result;
    }

    const operation = parseCounterOperation(payload);
    opsThisGeneration += 1;
    if (operation === undefined) {
      if (!context.df.isReplaying) context.warn(`Ignoring unknown operation ${describePayload(payload)}.`);
    } else {
      if (!context.df.isReplaying) context.log(`Received '${operation.op}' operation.`);
      state = apply(state, operation, nowMs(), context);
      context.df.setCustomStatus(statusOf(state));
      if (operation.op === "end") return state.value;
    }

    if (opsThisGeneration >= E3_LIMITS.opsPerGeneration) {
      context.df.continueAsNew(stateToInput(forgetExpired(state, nowMs())));
      return;
    }
  }
};

function describePayload(payload: unknown): string {
  const json = JSON.stringify(payload) as string | undefined;
  return (json ?? "(no payload)").slice(0, 100);
}

function apply(state: E3CounterState, operation: CounterOperation, nowMs: number, context: OrchestrationContext): E3CounterState {
  if (operation.id !== undefined && hasApplied(state, operation.id)) {
    // A resend or a redelivery: confirm it again, change nothing.
    return remember(state, operation.id, nowMs);
  }
  let value = state.value;
  if (operation.op !== "end") {
    const next = applyToValue(state.value, operation.op);
    if (next === undefined) {
      if (!context.df.isReplaying) context.warn(`Refusing '${operation.op}': the value would leave the safe integer range.`);
    } else {
      value = next;
    }
  }
  const updated = { ...state, value };
  return operation.id === undefined ? updated : remember(updated, operation.id, nowMs);
}

export interface ConfirmationTiming {
  /** How often the endpoint reads the instance's status. */
  pollMs: number;
  /** How long it waits for a confirmation before raising the same operation again. */
  resendMs: number;
  /** When it gives up waiting and answers 202 with the status URL (well below the 230 s HTTP cap). */
  timeoutMs: number;
}

export const defaultConfirmationTiming: ConfirmationTiming = { pollMs: 250, resendMs: 5_000, timeoutMs: 30_000 };

async function requireCounterInstance(
  client: DurableClient,
  context: Parameters<DurableHttpHandler>[2],
  instanceId: string,
): Promise<DurableOrchestrationStatus> {
  const status = await findInstance(client, context, instanceId);
  if (status === undefined || status.name !== OrchestratorNames.counter) {
    throw notFound("instance_not_found", `No ${OrchestratorNames.counter} instance with ID '${instanceId}' exists.`);
  }
  return status;
}

/** POST e3counter/{instanceId}/{op}: raise the operation, resend it until confirmed, answer the value. */
export function createE3OperationHandler(timing: ConfirmationTiming): DurableHttpHandler {
  return async (request, client, context) => {
    const instanceId = validateResourceId(request.params.instanceId, "instance id");
    const op = request.params.op;
    if (!isCounterOperationName(op)) {
      throw badRequest("unknown_operation", `Unknown operation '${String(op).slice(0, 40)}'. Use incr, decr or end.`);
    }
    const status = await requireCounterInstance(client, context, instanceId);
    if (isTerminal(status)) throw finished(instanceId, status);

    const operation: CounterOperation = { op, id: randomUUID() };
    const raise = (): Promise<void> => client.raiseEvent(instanceId, EventNames.counterOperation, operation);
    await raise();
    let lastRaisedAt = 0;
    const outcome = await pollStatus(
      client,
      instanceId,
      { intervalMs: timing.pollMs, timeoutMs: timing.timeoutMs },
      (current) => {
        const counter = readCounterStatus(current.customStatus);
        if (counter?.confirmedOps.includes(operation.id ?? "") === true) return { value: counter.value };
        return isTerminal(current) ? ("finished" as const) : undefined;
      },
      async (elapsedMs) => {
        if (elapsedMs - lastRaisedAt >= timing.resendMs) {
          lastRaisedAt = elapsedMs;
          await raise();
        }
      },
    );

    if (outcome === "finished") {
      throw gone("instance_finished", `The instance '${instanceId}' finished before the '${op}' operation was applied.`);
    }
    if (outcome === undefined) {
      return acceptedResponse(request, `e3counter/${encodeURIComponent(instanceId)}`, {
        instanceId,
        operationId: operation.id,
        message: "The operation was raised but not yet confirmed; its id appears in customStatus.confirmedOps once applied.",
      });
    }
    return { status: 200, jsonBody: { instanceId, value: outcome.value } };
  };
}

function finished(instanceId: string, status: DurableOrchestrationStatus) {
  return gone("instance_finished", `The instance '${instanceId}' is ${status.runtimeStatus} and takes no more operations.`);
}

/** GET e3counter/{instanceId}: the current value, from customStatus while running and the output once ended. */
const getCounterValue: DurableHttpHandler = async (request, client, context) => {
  const instanceId = validateResourceId(request.params.instanceId, "instance id");
  const status = await requireCounterInstance(client, context, instanceId);
  const value =
    status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed
      ? status.output
      : (readCounterStatus(status.customStatus)?.value ?? (typeof status.input === "number" ? status.input : null));
  return { status: 200, jsonBody: { instanceId, value, runtimeStatus: status.runtimeStatus } };
};

df.app.orchestration(OrchestratorNames.counter, e3Counter);

df.app.client.http("E3CounterOperation", {
  route: "e3counter/{instanceId}/{op}",
  methods: ["POST"],
  authLevel: "function",
  handler: withJsonErrors(createE3OperationHandler(defaultConfirmationTiming)),
});

df.app.client.http("E3CounterValue", {
  route: "e3counter/{instanceId}",
  methods: ["GET"],
  authLevel: "function",
  handler: withJsonErrors(getCounterValue),
});
