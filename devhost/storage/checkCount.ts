/** Counts that callers pass to the storage (page sizes, receive counts, lease lengths) are checked before any request goes out. */
export function checkCount(value: number, what: string, max: number, min = 1): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${what} must be a whole number from ${min} to ${max}, not ${value}.`);
}
