import { describeJsonType } from "./jsonShapes.js";

/**
 * Counter arithmetic shared by the Counter entity and the E3_Counter orchestrator. Values stay
 * within JavaScript's safe integers, so that every value a counter reports is exact and survives
 * JSON round trips through Azure Storage.
 */

export type AdditionResult = { ok: true; value: number } | { ok: false; reason: string };

export function addWithinSafeRange(value: number, amount: number): AdditionResult {
  if (!Number.isSafeInteger(amount)) {
    return { ok: false, reason: `The amount ${String(amount)} is not a safe integer.` };
  }
  const sum = value + amount;
  if (!Number.isSafeInteger(sum)) {
    return {
      ok: false,
      reason: `Adding ${amount} to ${value} would leave the safe integer range (±${Number.MAX_SAFE_INTEGER}).`,
    };
  }
  return { ok: true, value: sum };
}

/**
 * Reads an integer amount from a query string value or a parsed JSON value. Fractions, NaN,
 * Infinity (JSON's 1e309 parses to it), numbers beyond 2^53 and numeric-looking strings with
 * anything but digits are refused with a reason, never rounded.
 */
export function parseSafeInteger(raw: unknown): number | { reason: string } {
  if (typeof raw === "number") {
    // + 0 turns -0 into 0, which JSON would otherwise print as 0 and Object.is would tell apart.
    return Number.isSafeInteger(raw) ? raw + 0 : { reason: `${String(raw)} is not a safe integer.` };
  }
  if (typeof raw === "string") {
    const text = raw.trim();
    if (!/^[+-]?\d{1,16}$/.test(text)) {
      return { reason: `'${raw.slice(0, 40)}' is not an integer.` };
    }
    const value = Number(text);
    return Number.isSafeInteger(value) ? value + 0 : { reason: `${text} is beyond the safe integer range.` };
  }
  return { reason: `Expected an integer but got ${describeJsonType(raw)}.` };
}
