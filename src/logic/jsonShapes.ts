import { ValidationError } from "./ValidationError.js";

/** Small checks on parsed JSON that several validators share. */

export function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function requireObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ValidationError("invalid_body", `${what} must be a JSON object, not ${describeJsonType(input)}.`);
  }
  return input as Record<string, unknown>;
}
