import { randomUUID } from "node:crypto";
import type { HttpResponseInit } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableOrchestrationStatus, OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { EventNames, MetricNames, OrchestratorNames, TelemetryEventNames } from "../names.js";
import { trackEvent, trackMetric } from "../telemetry.js";
import {
  applyOperation,
  confirmedOutcome,
  E3_LIMITS,
  forgetExpired,
  isCounterOperationName,
  isOperationId,
  nextExpirySeconds,
  parseCounterOperation,
  readCounterStatus,
  stateFromInput,
  stateToInput,
  statusOf,
  type CounterOperation,
  type E3CounterState,
  type OperationOutcome,
} from "../logic/e3CounterState.js";
import { validateResourceId } from "../logic/resourceIds.js";
import { findInstance, isTerminal, pollStatus, type StatusQuery } from "../durable/instances.js";
import { badRequest, conflict, gone, notFound, type HttpError } from "../http/HttpError.js";
import { withJsonErrors, type DurableHttpHandler } from "../http/jsonResponses.js";
import { requireNoBody } from "../http/requestBody.js";
import { acceptedResponse } from "../durable/acceptedResponse.js";

/**
 * E3_Counter, the eternal orchestration of the stateful-singleton walkthrough, made safe for bursts:
 * it continues as new only after a quiet second or every E3_LIMITS.newOperationsPerGeneration new
 * operations (not after every event: a ContinueAsNew is when the engine drops the events of the
 * same batch), remembers recent operation ids so that a resent operation applies once, and
 * publishes each id's outcome in customStatus so that the HTTP endpoint can confirm it.
 */
const e3Counter: OrchestrationHandler = function* (context: OrchestrationContext) {
  const nowSeconds = (): number => Math.floor(context.df.currentUtcDateTime.getTime() / 1000);
  const generation = context.df.currentUtcDateTime.toISOString();
  let state = forgetExpired(stateFromInput(context.df.getInput()), nowSeconds());
  // Events of any kind bound history (each also brings an idle timer, whose firing is recorded even
  // when cancelled); new operations decide when a busy counter continues as new.
  let eventsThisGeneration = 0;
  let newOperationsThisGeneration = 0;
  context.df.setCustomStatus(statusOf(state, generation));

  for (;;) {
    if (!context.df.isReplaying) context.log(`Current counter state is ${state.value}. Waiting for next operation.`);

    const operationEvent = context.df.waitForExternalEvent(EventNames.counterOperation);
    const wakeAt = eventsThisGeneration > 0 ? idleDeadline(context) : expiryDeadline(state);
    let payload: unknown;
    if (wakeAt === undefined) {
      payload = yield operationEvent;
    } else {
      const timer = context.df.createTimer(wakeAt);
      const winner: unknown = yield context.df.Task.any([operationEvent, timer]);
      if (winner === timer) {
        // Quiet (or remembered ids are due to expire): start a fresh, empty history.
        context.df.continueAsNew(stateToInput(forgetExpired(state, nowSeconds())));
        return;
      }
      timer.cancel();
      payload = operationEvent.result;
    }

    eventsThisGeneration += 1;
    const operation = parseCounterOperation(payload);
    if (operation === undefined) {
      if (!context.df.isReplaying) context.warn(`Ignoring unknown operation ${describePayload(payload)}.`);
    } else {
      if (!context.df.isReplaying) context.log(`Received '${operation.op}' operation.`);
      const applied = applyOperation(state, operation, nowSeconds());
      if (!applied.repeated) newOperationsThisGeneration += 1;
      if (applied.outcome === null && !context.df.isReplaying) {
        context.warn(`Refusing '${operation.op}': the value would leave the safe integer range.`);
      }
      state = applied.state;
      context.df.setCustomStatus(statusOf(state, generation));
      // A repeated id only gets its first answer again, even if a confused client reused it for "end".
      if (operation.op === "end" && !applied.repeated) return state.value;
    }

    if (
      newOperationsThisGeneration >= E3_LIMITS.newOperationsPerGeneration ||
      eventsThisGeneration >= E3_LIMITS.maxEventsPerGeneration
    ) {
      context.df.continueAsNew(stateToInput(forgetExpired(state, nowSeconds())));
      return;
    }
  }
};

/** A full quiet second after the last event, to the millisecond. */
function idleDeadline(context: OrchestrationContext): Date {
  return new Date(context.df.currentUtcDateTime.getTime() + E3_LIMITS.idleSeconds * 1000);
}

function expiryDeadline(state: E3CounterState): Date | undefined {
  const seconds = nextExpirySeconds(state);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

function describePayload(payload: unknown): string {
  const json = JSON.stringify(payload) as string | undefined;
  return (json ?? "(no payload)").slice(0, 100);
}

export interface ConfirmationTiming {
  /** How often the endpoint reads the instance's status. */
  pollMs: number;
  /** When it stops waiting and answers 202 (well below the platform's 230 s HTTP limit). */
  timeoutMs: number;
  /**
   * The least time between two raises of one operation, doubled after each resend. Under load a
   * generation may end every second or so; without a growing gap every waiting request would
   * resend at each one, and the copies would crowd out the operations they wait behind.
   */
  firstResendGapMs: number;
}

export const defaultConfirmationTiming: ConfirmationTiming = { pollMs: 250, timeoutMs: 30_000, firstResendGapMs: 2_000 };

/** A client that sends the same key again gets the same operation's outcome, never a second application. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

async function requireCounterInstance(
  context: Parameters<DurableHttpHandler>[2],
  instanceId: string,
  query: StatusQuery,
): Promise<DurableOrchestrationStatus> {
  const status = await findInstance(context, instanceId, query);
  if (status === undefined || status.name !== OrchestratorNames.counter) {
    throw notFound("instance_not_found", `No ${OrchestratorNames.counter} instance with ID '${instanceId}' exists.`);
  }
  return status;
}

function operationIdOf(request: Parameters<DurableHttpHandler>[0]): string {
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return randomUUID();
  if (!isOperationId(key)) {
    throw badRequest("invalid_idempotency_key", `${IDEMPOTENCY_KEY_HEADER} must be 1 to 64 letters, digits, _ or -.`);
  }
  return key;
}

/**
 * POST e3counter/{instanceId}/{op}: raise the operation with an id, and answer with the value right
 * after it once the counter confirms that id. The engine drops events only together with a
 * ContinueAsNew, so the operation is raised again exactly when the counter has started a new
 * generation without confirming it; a copy that was not needed is recognised by its id.
 */
export function createE3OperationHandler(timing: ConfirmationTiming): DurableHttpHandler {
  return async (request, client, context) => {
    const instanceId = validateResourceId(request.params.instanceId, "instance id");
    const op = request.params.op;
    if (!isCounterOperationName(op)) {
      throw badRequest("unknown_operation", `Unknown operation '${String(op).slice(0, 40)}'. Use incr, decr or end.`);
    }
    const operation = { op, id: operationIdOf(request) } satisfies CounterOperation;
    await requireNoBody(request, `The operation takes no body: ${op} is the whole request.`);
    // customStatus is all it needs; the input (the carried ids) can be large.
    const status = await requireCounterInstance(context, instanceId, { showInput: false });
    const startedAt = Date.now();
    let raises = 0;
    const report = (outcome: E3RequestOutcome): void => {
      reportOperation(context, instanceId, operation, outcome, { raises, waitedMs: Date.now() - startedAt });
    };

    const answered = confirmedOutcome(readCounterStatus(status.customStatus), operation.id);
    if (answered !== undefined) {
      report("repeated");
      return outcomeResponse(instanceId, operation, answered);
    }
    if (isTerminal(status)) throw finished(instanceId, status);

    let lastRaisedAt = 0;
    let resendGapMs = timing.firstResendGapMs;
    const raise = async (): Promise<void> => {
      raises += 1;
      lastRaisedAt = Date.now();
      await client.raiseEvent(instanceId, EventNames.counterOperation, operation);
    };
    await raise();
    let raisedInGeneration = readCounterStatus(status.customStatus)?.generation;
    let latestGeneration = raisedInGeneration;
    const outcome = await pollStatus(
      context,
      instanceId,
      { intervalMs: timing.pollMs, timeoutMs: timing.timeoutMs },
      (current) => {
        const counter = readCounterStatus(current.customStatus);
        const confirmed = confirmedOutcome(counter, operation.id);
        if (confirmed !== undefined) return { confirmed };
        if (isTerminal(current)) return "finished" as const;
        latestGeneration = counter?.generation ?? latestGeneration;
        return undefined;
      },
      async () => {
        if (latestGeneration === raisedInGeneration || Date.now() - lastRaisedAt < resendGapMs) return;
        raisedInGeneration = latestGeneration;
        resendGapMs *= 2;
        await raise();
      },
    );

    if (outcome === "finished") {
      report("finished");
      // Not "was not applied": it may have been, and scrolled out of confirmedOps before the end.
      throw gone(
        "instance_finished",
        `The instance '${instanceId}' finished before the '${op}' operation was confirmed; it may or may not have been applied.`,
      );
    }
    if (outcome === undefined) {
      report("pending");
      return acceptedResponse(request, `e3counter/${encodeURIComponent(instanceId)}`, {
        instanceId,
        operationId: operation.id,
        message: `Not confirmed yet. Repeat the request with the header ${IDEMPOTENCY_KEY_HEADER}: ${operation.id} to keep waiting; the operation is applied at most once.`,
      });
    }
    report(outcome.confirmed === null ? "refused" : "applied");
    trackMetric(MetricNames.e3ConfirmationMs, Date.now() - startedAt, { operation: op });
    return outcomeResponse(instanceId, operation, outcome.confirmed);
  };
}

/** How a request ended: applied or refused by the counter, answered from an earlier confirmation, or not (yet). */
type E3RequestOutcome = "applied" | "refused" | "repeated" | "finished" | "pending";

/** One E3CounterOperation event per HTTP request, with how many raises and how long it took. */
function reportOperation(
  context: Parameters<DurableHttpHandler>[2],
  instanceId: string,
  operation: Required<CounterOperation>,
  outcome: E3RequestOutcome,
  measurements: { raises: number; waitedMs: number },
): void {
  trackEvent(
    context,
    TelemetryEventNames.e3CounterOperation,
    { instanceId, operation: operation.op, operationId: operation.id, outcome },
    measurements,
  );
}

function outcomeResponse(instanceId: string, operation: Required<CounterOperation>, outcome: OperationOutcome): HttpResponseInit {
  if (outcome === null) {
    throw conflict("operation_refused", `'${operation.op}' was refused: the value would leave the safe integer range.`);
  }
  return { status: 200, jsonBody: { instanceId, value: outcome, operationId: operation.id } };
}

function finished(instanceId: string, status: DurableOrchestrationStatus): HttpError {
  return gone("instance_finished", `The instance '${instanceId}' is ${status.runtimeStatus} and takes no more operations.`);
}

/** GET e3counter/{instanceId}: the current value, from customStatus while running and the output once ended. */
const getCounterValue: DurableHttpHandler = async (request, client, context) => {
  const instanceId = validateResourceId(request.params.instanceId, "instance id");
  // The input gives the value before the first episode has published one.
  const status = await requireCounterInstance(context, instanceId, { showInput: true });
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
