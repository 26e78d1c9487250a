import { addWithinSafeRange } from "./counterMath.js";

/**
 * The state of the E3_Counter eternal orchestration and the rules that make its operations
 * exactly-once. External events are delivered at least once and may be dropped when they share a
 * batch with a ContinueAsNew, so the HTTP endpoint raises each operation with an id and raises it
 * again until it sees that id confirmed; the orchestration remembers recent ids and applies each
 * one once.
 */

export const counterOperations = ["incr", "decr", "end"] as const;
export type CounterOperationName = (typeof counterOperations)[number];

export interface CounterOperation {
  op: CounterOperationName;
  /** Set by the exactly-once endpoint; the raw webhook's "incr" has none. */
  id?: string;
}

/** [operation id, epoch milliseconds when it was applied] */
export type RememberedOperation = [string, number];

export interface E3CounterState {
  value: number;
  /** Oldest first; re-confirming an id moves it to the end. */
  recentOps: RememberedOperation[];
}

/** What the orchestration carries across ContinueAsNew when it still has ids to remember. */
export interface E3CounterCarriedState {
  value: number;
  recentOps: RememberedOperation[];
}

export const E3_LIMITS = {
  /** Ids are remembered this long: far beyond the endpoint's last possible resend. */
  rememberMs: 10 * 60 * 1000,
  /** ...and at most this many, which keeps the carried input around 20 KB. */
  maxRememberedOps: 500,
  /** How many ids customStatus shows (customStatus is limited to 16 KB). */
  confirmedOpsShown: 100,
  /** ContinueAsNew after this many operations even under constant load, to bound history. */
  opsPerGeneration: 50,
  /** ...or when no operation arrived for this long, so the status input catches up quickly. */
  idleSeconds: 1,
  maxOpIdLength: 64,
} as const;

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
  if (typeof id !== "string" || id.length === 0 || id.length > E3_LIMITS.maxOpIdLength) return undefined;
  return { op, id };
}

/** The start input is an integer (default 0); a continued generation may carry remembered ids. */
export function stateFromInput(input: unknown): E3CounterState {
  if (input === undefined || input === null) return { value: 0, recentOps: [] };
  if (typeof input === "number" && Number.isSafeInteger(input)) return { value: input, recentOps: [] };
  if (typeof input === "object") {
    const { value, recentOps } = input as Partial<E3CounterCarriedState>;
    if (typeof value === "number" && Number.isSafeInteger(value) && Array.isArray(recentOps)) {
      return { value, recentOps: recentOps.filter(isRememberedOperation) };
    }
  }
  throw new TypeError(`E3_Counter needs an integer start value, got ${JSON.stringify(input)}.`);
}

/**
 * The next generation's input: the bare value (so the status query shows input = the value, as in
 * the reference walkthrough) unless ids still need remembering.
 */
export function stateToInput(state: E3CounterState): number | E3CounterCarriedState {
  return state.recentOps.length === 0 ? state.value : { value: state.value, recentOps: state.recentOps };
}

export function hasApplied(state: E3CounterState, id: string): boolean {
  return state.recentOps.some(([rememberedId]) => rememberedId === id);
}

export function remember(state: E3CounterState, id: string, atMs: number): E3CounterState {
  const others = state.recentOps.filter(([rememberedId]) => rememberedId !== id);
  const recentOps: RememberedOperation[] = [...others, [id, atMs]];
  return { ...state, recentOps: recentOps.slice(-E3_LIMITS.maxRememberedOps) };
}

export function forgetExpired(state: E3CounterState, nowMs: number): E3CounterState {
  const recentOps = state.recentOps.filter(([, atMs]) => nowMs - atMs < E3_LIMITS.rememberMs);
  return { ...state, recentOps };
}

/** When the oldest remembered id expires, or undefined when nothing is remembered. */
export function nextExpiryMs(state: E3CounterState): number | undefined {
  const oldest = state.recentOps[0];
  return oldest === undefined ? undefined : oldest[1] + E3_LIMITS.rememberMs;
}

/** incr/decr move the value by one; a move that would leave the safe integer range is refused. */
export function applyToValue(value: number, op: "incr" | "decr"): number | undefined {
  const result = addWithinSafeRange(value, op === "incr" ? 1 : -1);
  return result.ok ? result.value : undefined;
}

export interface E3CounterStatus {
  value: number;
  /** The most recent confirmed operation ids, newest last. */
  confirmedOps: string[];
}

export function statusOf(state: E3CounterState): E3CounterStatus {
  return {
    value: state.value,
    confirmedOps: state.recentOps.slice(-E3_LIMITS.confirmedOpsShown).map(([id]) => id),
  };
}

function isRememberedOperation(entry: unknown): entry is RememberedOperation {
  return (
    Array.isArray(entry) &&
    entry.length === 2 &&
    typeof entry[0] === "string" &&
    typeof entry[1] === "number"
  );
}

/** Reads the status the orchestration publishes; undefined for anything else (not yet started, say). */
export function readCounterStatus(customStatus: unknown): E3CounterStatus | undefined {
  if (typeof customStatus !== "object" || customStatus === null) return undefined;
  const { value, confirmedOps } = customStatus as Partial<E3CounterStatus>;
  if (typeof value !== "number" || !Array.isArray(confirmedOps)) return undefined;
  return { value, confirmedOps: confirmedOps.filter((id): id is string => typeof id === "string") };
}
