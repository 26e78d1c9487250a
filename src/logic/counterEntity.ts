import { addWithinSafeRange, parseSafeInteger } from "./counterMath.js";
import { validateResourceId } from "./resourceIds.js";
import { ValidationError } from "./ValidationError.js";

/** The Counter entity's operations and the HTTP routes that reach them, without any Azure types. */

export const DEFAULT_COUNTER_ID = "counter";
export const DEFAULT_ADD_AMOUNT = 1;

const mutatingCounterOperations = ["add", "reset"] as const;
export type MutatingCounterOperation = (typeof mutatingCounterOperations)[number];

/**
 * Thrown inside the entity so that the operation reports an error result and leaves state as it
 * was. The SDK stores an operation error as JSON.stringify(error), which is "{}" for a plain Error;
 * toJSON makes the message what a caller of the entity sees.
 */
export class CounterOperationError extends Error {
  override readonly name = "CounterOperationError";

  toJSON(): string {
    return this.message;
  }
}

export interface CounterOperationOutcome {
  state: number;
  result: number;
}

export function runCounterOperation(current: number, operation: string, input: unknown): CounterOperationOutcome {
  switch (operation) {
    case "add": {
      const amount = input === undefined || input === null ? DEFAULT_ADD_AMOUNT : parseSafeInteger(input);
      if (typeof amount !== "number") throw new CounterOperationError(`add refused: ${amount.reason}`);
      const sum = addWithinSafeRange(current, amount);
      if (!sum.ok) throw new CounterOperationError(`add refused: ${sum.reason}`);
      return { state: sum.value, result: sum.value };
    }
    case "reset":
      return { state: 0, result: 0 };
    case "get":
      return { state: current, result: current };
    default:
      throw new CounterOperationError(`Counter does not support the operation '${operation}'. Use add, reset or get.`);
  }
}

function isMutatingOperation(value: string): value is MutatingCounterOperation {
  return (mutatingCounterOperations as readonly string[]).includes(value);
}

/** add and reset name operations on the one-segment routes, so they are never counter ids. */
export function validateCounterId(raw: string | undefined): string {
  const id = validateResourceId(raw, "counter id");
  if (isMutatingOperation(id)) {
    throw new ValidationError("reserved_id", `'${id}' names an operation and cannot be used as a counter id.`);
  }
  return id;
}

export interface CounterCommand {
  id: string;
  operation: MutatingCounterOperation;
}

/**
 * POST counter/{target}/{operation?}:
 *   counter/add, counter/reset          act on the default counter;
 *   counter/{id}                        adds the body's amount to {id};
 *   counter/{id}/add, counter/{id}/reset act on {id}.
 */
export function parseCounterCommand(target: string | undefined, operation: string | undefined): CounterCommand {
  if (operation === undefined || operation === "") {
    if (target !== undefined && isMutatingOperation(target)) return { id: DEFAULT_COUNTER_ID, operation: target };
    return { id: validateCounterId(target), operation: "add" };
  }
  if (!isMutatingOperation(operation)) {
    throw new ValidationError("unknown_operation", `Unknown counter operation '${operation.slice(0, 40)}'. Use add or reset.`);
  }
  return { id: validateCounterId(target), operation };
}

/**
 * The amount of an add: from ?value=, or from the body as a raw number (the reference curl sends
 * -d "10") or as {"value": n}; 1 when neither is given. Both at once is ambiguous and refused.
 */
export function resolveAddAmount(queryValue: string | null, body: unknown): number {
  const fromBody = body === undefined ? undefined : amountFromBody(body);
  if (queryValue !== null && fromBody !== undefined) {
    throw new ValidationError("ambiguous_amount", "Give the amount either as ?value= or in the body, not both.");
  }
  const raw = queryValue ?? fromBody;
  if (raw === undefined) return DEFAULT_ADD_AMOUNT;
  const amount = parseSafeInteger(raw);
  if (typeof amount !== "number") throw new ValidationError("invalid_amount", `value: ${amount.reason}`);
  return amount;
}

/** The amount an operation takes: add's (see resolveAddAmount); reset takes none and refuses one. */
export function resolveCommandAmount(
  operation: MutatingCounterOperation,
  queryValue: string | null,
  body: unknown,
): number | undefined {
  if (operation === "add") return resolveAddAmount(queryValue, body);
  if (queryValue !== null || body !== undefined) {
    throw new ValidationError("unexpected_amount", "reset takes no value: send no body and no ?value=.");
  }
  return undefined;
}

function amountFromBody(body: unknown): unknown {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const { value, ...rest } = body as Record<string, unknown>;
    const unexpected = Object.keys(rest);
    if (unexpected.length > 0) {
      throw new ValidationError("invalid_body", `Unexpected field '${unexpected[0]?.slice(0, 40)}'; send {"value": n}.`);
    }
    if (value === undefined) throw new ValidationError("invalid_body", 'The body needs a "value" field.');
    return value;
  }
  if (typeof body === "number") return body;
  throw new ValidationError("invalid_amount", 'The body must be an integer or {"value": n}.');
}
