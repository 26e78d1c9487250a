import { addWithinSafeRange } from "./counterMath.js";

/**
 * The state of the E3_Counter eternal orchestration and the rules that make its operations
 * exactly-once. External events are delivered at least once, and the events that share a batch
 * with a ContinueAsNew are dropped. So the HTTP endpoint raises each operation with an id and
 * raises it again only when the counter has continued as new since (the only moment a drop can
 * happen); the orchestration remembers recent ids with their outcome and applies each id once.
 */

const counterOperations = ["incr", "decr", "end"] as const;
export type CounterOperationName = (typeof counterOperations)[number];

export interface CounterOperation {
  op: CounterOperationName;
  /** Set by the exactly-once endpoint; the raw webhook's bare "incr" has none. */
  id?: string;
}

/** What an operation did: the value right after it, or null when it was refused. */
export type OperationOutcome = number | null;

/** [operation id, epoch seconds when it was applied, its outcome] */
export type RememberedOperation = [string, number, OperationOutcome];

export interface E3CounterState {
  value: number;
  /** Oldest first; a resent id is moved to the end. */
  recentOps: RememberedOperation[];
}

export const E3_LIMITS = {
  /**
   * How long an id is remembered: past the control queue's 5-minute visibility timeout (a copy
   * redelivered after a worker crash) and the endpoint's own resends, with room to spare.
   */
  rememberSeconds: 10 * 60,
  /** ...and at most this many ids (100 to 200 KB of carried input at the limit; the extension keeps it in a blob). */
  maxRememberedOps: 2_000,
  /** How many outcomes customStatus shows, newest last (customStatus is limited to 16 KB). */
  confirmedOpsShown: 64,
  /**
   * ContinueAsNew after this many new operations even under constant load. Repeats of remembered
   * ids do not count: under load the endpoint's copies must not end generations sooner, or each
   * ContinueAsNew would drop more events and cause more copies.
   */
  newOperationsPerGeneration: 50,
  /** ...and after this many events of any kind, so that history stays bounded whatever arrives. */
  maxEventsPerGeneration: 300,
  /** ...or once no event arrived for this long, so the status input catches up quickly. */
  idleSeconds: 1,
} as const;

/** Ids are ASCII so that their size in customStatus is known: 64 characters at most. */
const operationIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isOperationId(value: unknown): value is string {
  return typeof value === "string" && operationIdPattern.test(value);
}

export function isCounterOperationName(value: unknown): value is CounterOperationName {
  return typeof value === "string" && (counterOperations as readonly string[]).includes(value);
}

/** Accepts the doc's bare "incr" and the endpoint's { op, id }; anything else is undefined. */
export function parseCounterOperation(payload: unknown): CounterOperation | undefined {
  if (isCounterOperationName(payload)) return { op: payload };
  if (typeof payload !== "object" || payload === null) return undefined;
  const { op, id } = payload as { op?: unknown; id?: unknown };
  if (!isCounterOperationName(op)) return undefined;
  if (id === undefined) return { op };
  return isOperationId(id) ? { op, id } : undefined;
}

/** The start input is an integer (default 0); a continued generation may carry remembered ids. */
export function stateFromInput(input: unknown): E3CounterState {
  if (input === undefined || input === null) return { value: 0, recentOps: [] };
  if (typeof input === "number" && Number.isSafeInteger(input)) return { value: input, recentOps: [] };
  if (typeof input === "object") {
    const { value, recentOps } = input as Partial<E3CounterState>;
    if (typeof value === "number" && Number.isSafeInteger(value) && Array.isArray(recentOps)) {
      return { value, recentOps: recentOps.filter(isRememberedOperation) };
    }
  }
  const shown = typeof input === "number" ? String(input) : (JSON.stringify(input) as string | undefined);
  throw new TypeError(`E3_Counter needs a safe integer start value, got ${shown ?? typeof input}.`);
}

/**
 * The next generation's input: the bare value (so the status query shows input = the value, as in
 * the reference walkthrough) unless ids still need remembering.
 */
export function stateToInput(state: E3CounterState): number | E3CounterState {
  return state.recentOps.length === 0 ? state.value : state;
}

export function rememberedOutcome(state: E3CounterState, id: string): OperationOutcome | undefined {
  return state.recentOps.find(([rememberedId]) => rememberedId === id)?.[2];
}

export function remember(state: E3CounterState, id: string, atSeconds: number, outcome: OperationOutcome): E3CounterState {
  const others = state.recentOps.filter(([rememberedId]) => rememberedId !== id);
  const recentOps: RememberedOperation[] = [...others, [id, atSeconds, outcome]];
  return { ...state, recentOps: recentOps.slice(-E3_LIMITS.maxRememberedOps) };
}

export function forgetExpired(state: E3CounterState, nowSeconds: number): E3CounterState {
  const recentOps = state.recentOps.filter(([, atSeconds]) => nowSeconds - atSeconds < E3_LIMITS.rememberSeconds);
  return { ...state, recentOps };
}

/** When the oldest remembered id expires (epoch seconds), or undefined when nothing is remembered. */
export function nextExpirySeconds(state: E3CounterState): number | undefined {
  const oldest = state.recentOps[0];
  return oldest === undefined ? undefined : oldest[1] + E3_LIMITS.rememberSeconds;
}

/**
 * Applies an operation once: a remembered id gets its first outcome again and changes nothing.
 * incr/decr move the value by one; a move that would leave the safe integer range is refused.
 */
export function applyOperation(
  state: E3CounterState,
  operation: CounterOperation,
  nowSeconds: number,
): { state: E3CounterState; outcome: OperationOutcome; repeated: boolean } {
  const { id, op } = operation;
  const earlier = id === undefined ? undefined : rememberedOutcome(state, id);
  if (id !== undefined && earlier !== undefined) {
    return { state: remember(state, id, nowSeconds, earlier), outcome: earlier, repeated: true };
  }

  let outcome: OperationOutcome = state.value;
  if (op !== "end") {
    const sum = addWithinSafeRange(state.value, op === "incr" ? 1 : -1);
    outcome = sum.ok ? sum.value : null;
  }
  const updated = { ...state, value: outcome ?? state.value };
  return { state: id === undefined ? updated : remember(updated, id, nowSeconds, outcome), outcome, repeated: false };
}

/** What the orchestration publishes as customStatus, and what the endpoint reads back. */
export interface E3CounterStatus {
  value: number;
  /** When this generation started: it changes at every ContinueAsNew, the only moment events are dropped. */
  generation: string;
  /** The latest operations, newest last: [id, value right after it, or null when it was refused]. */
  confirmedOps: [string, OperationOutcome][];
}

export function statusOf(state: E3CounterState, generation: string): E3CounterStatus {
  return {
    value: state.value,
    generation,
    confirmedOps: state.recentOps.slice(-E3_LIMITS.confirmedOpsShown).map(([id, , outcome]) => [id, outcome]),
  };
}

/** Reads the status the orchestration publishes; undefined for anything else (not yet started, say). */
export function readCounterStatus(customStatus: unknown): E3CounterStatus | undefined {
  if (typeof customStatus !== "object" || customStatus === null) return undefined;
  const { value, generation, confirmedOps } = customStatus as Partial<E3CounterStatus>;
  if (typeof value !== "number" || typeof generation !== "string" || !Array.isArray(confirmedOps)) return undefined;
  return { value, generation, confirmedOps: confirmedOps.filter(isConfirmedOperation) };
}

/** The outcome the status reports for an id, or undefined when the id is not (or no longer) listed. */
export function confirmedOutcome(status: E3CounterStatus | undefined, id: string): OperationOutcome | undefined {
  return status?.confirmedOps.find(([confirmedId]) => confirmedId === id)?.[1];
}

function isOutcome(value: unknown): value is OperationOutcome {
  return value === null || (typeof value === "number" && Number.isSafeInteger(value));
}

function isConfirmedOperation(entry: unknown): entry is [string, OperationOutcome] {
  return Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && isOutcome(entry[1]);
}

function isRememberedOperation(entry: unknown): entry is RememberedOperation {
  return (
    Array.isArray(entry) &&
    entry.length === 3 &&
    typeof entry[0] === "string" &&
    typeof entry[1] === "number" &&
    isOutcome(entry[2])
  );
}
