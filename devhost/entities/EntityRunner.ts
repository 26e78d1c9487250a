import type { HostLogger } from "../app/HostLogger.js";
import type { EntityRecord } from "../storage/records.js";
import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import { EventType } from "../protocol/historyEvents.js";
import { entityInstanceId, parseEntityInstanceId, type EntityOperationMessage, type OutgoingMessage } from "../protocol/messages.js";
import { messageIds } from "../protocol/messageIds.js";

export interface EntityBatchInput {
  instanceId: string;
  record?: EntityRecord;
  messages: EntityOperationMessage[];
  now: Date;
}

export interface EntityBatchResult {
  exists: boolean;
  /** JSON text. */
  state?: string;
  outbox: OutgoingMessage[];
}

/** What durable-functions' entity wrapper answers with (the extension's OutOfProcResult). */
interface SdkEntityState {
  entityExists: boolean;
  entityState?: string | null;
  results: ({ isError: boolean; result?: string } | undefined)[];
  signals: { target: { name: string; key: string }; name: string; input: string; requestId: string }[];
}

/**
 * Runs a batch of operations on one entity through the app's registered entity function, as the
 * extension does for Node.js apps: one invocation for the batch, then an answer to every caller
 * (raised in its orchestration as an event named by the request id) and the signals the operations
 * sent. An operation that throws answers its caller with the error and the batch goes on; the SDK
 * keeps what it had set of the state.
 */
export class EntityRunner {
  constructor(
    private readonly app: FunctionInvoker,
    private readonly logger: HostLogger,
  ) {}

  async runBatch(input: EntityBatchInput): Promise<EntityBatchResult> {
    const exists = input.record?.exists ?? false;
    const state = input.record?.state;
    const unchanged = { exists, ...(state === undefined ? {} : { state }) };
    const id = parseEntityInstanceId(input.instanceId);
    const fn = id === undefined ? undefined : this.app.get(id.name);
    if (id === undefined || fn?.trigger.type !== "entityTrigger") {
      const reason = `The function '${id?.name ?? input.instanceId}' doesn't exist, is disabled, or is not an entity function.`;
      const signals = input.messages.filter((message) => message.isSignal).length;
      this.logger.log("warning", `${input.instanceId}: ${reason}${signals === 0 ? "" : ` ${signals} signal(s) to it are dropped.`}`);
      return { ...unchanged, outbox: this.errorAnswers(input, reason) };
    }

    const trigger = {
      self: { name: id.name, key: id.key },
      exists,
      state: state ?? null,
      batch: input.messages.map((message) => ({
        name: message.operation,
        input: message.input ?? null,
        id: batchId(message),
        isSignal: message.isSignal,
      })),
    };
    let result: SdkEntityState;
    try {
      result = parseResult(await this.app.invoke(fn.name, JSON.parse(JSON.stringify(trigger)) as unknown));
    } catch (error) {
      const reason = `The entity function '${fn.name}' failed: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.log("error", `${input.instanceId}: ${reason}`);
      return { ...unchanged, outbox: this.errorAnswers(input, reason) };
    }

    const outbox = input.messages.flatMap((message, index) => {
      const outcome = result.results[index];
      if (outcome?.isError === true) {
        this.logger.log("warning", `${input.instanceId}: operation '${message.operation}' failed: ${outcome.result ?? "(no details)"}`);
      }
      return answer(input.instanceId, message, outcome ?? { isError: true, result: JSON.stringify("The entity function gave no result for this operation.") });
    });
    outbox.push(...signalsSent(input.instanceId, input.messages, result.signals));
    return {
      exists: result.entityExists,
      ...(result.entityExists && result.entityState !== undefined && result.entityState !== null ? { state: result.entityState } : {}),
      outbox,
    };
  }

  private errorAnswers(input: EntityBatchInput, reason: string): OutgoingMessage[] {
    return input.messages.flatMap((message) => answer(input.instanceId, message, { isError: true, result: JSON.stringify(reason) }));
  }
}

/** The id the SDK gives the operation (and puts on the signals it sends): the call's request id. */
function batchId(message: EntityOperationMessage): string {
  return message.requestId ?? message.id;
}

/** The extension's ResponseMessage, raised in the caller's orchestration; signals get none. */
function answer(entityId: string, message: EntityOperationMessage, outcome: { isError: boolean; result?: string }): OutgoingMessage[] {
  if (message.isSignal || message.requestId === undefined || message.caller === undefined) return [];
  const response = { result: outcome.result ?? null, ...(outcome.isError ? { exceptionType: "Error" } : {}) };
  return [
    {
      to: "control",
      message: {
        kind: "orchestration",
        id: messageIds.entityResponse(entityId, message.id),
        instanceId: message.caller.instanceId,
        executionId: message.caller.executionId,
        event: { EventType: EventType.EventRaised, Name: message.requestId, Input: JSON.stringify(response) },
      },
    },
  ];
}

/** Each signal gets an id from the operation that sent it and its place among that operation's signals. */
function signalsSent(entityId: string, messages: readonly EntityOperationMessage[], signals: SdkEntityState["signals"]): OutgoingMessage[] {
  const bySdkId = new Map(messages.map((message) => [batchId(message), message]));
  const counts = new Map<string, number>();
  return signals.map((signal) => {
    const origin = bySdkId.get(signal.requestId)?.id ?? entityId;
    const index = counts.get(origin) ?? 0;
    counts.set(origin, index + 1);
    return {
      to: "control",
      message: {
        kind: "entity",
        id: messageIds.entitySignal(entityId, origin, index),
        instanceId: entityInstanceId(signal.target.name, signal.target.key),
        operation: signal.name,
        // The SDK writes "" for a signal without input.
        ...(signal.input === "" ? {} : { input: signal.input }),
        isSignal: true,
      },
    };
  });
}

function parseResult(value: unknown): SdkEntityState {
  const result = value as Partial<SdkEntityState> | null | undefined;
  if (typeof result !== "object" || result === null || !Array.isArray(result.results)) {
    throw new Error("it did not answer with an entity state (is it registered with df.app.entity?)");
  }
  return { entityExists: result.entityExists === true, entityState: result.entityState, results: result.results, signals: result.signals ?? [] };
}
