/** Counts that callers pass to the storage (page sizes, receive counts, lease lengths) are checked before any request goes out. */
export function checkCount(value: number, what: string, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${what} must be a whole number from 1 to ${max}, not ${value}.`);
}
