/**
 * Times as the tables store them. Instance, entity and timer rows all filter or key on times, so
 * they share one spelling: toISOString text, so that string order is time order in filters.
 */

/** toISOString has a fixed width (and so sorts as text) for years 0 to 9999 only. */
const EARLIEST_TIME = Date.parse("0000-01-01T00:00:00.000Z");
const LATEST_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/** A time to store, as toISOString text. */
export function isoTime(value: string, what: string): string {
  const time = new Date(value).getTime();
  if (Number.isNaN(time) || time < EARLIEST_TIME || time > LATEST_TIME) throw new RangeError(`${what} is not a valid time from year 0 to 9999: "${value}".`);
  return new Date(time).toISOString();
}

/** A query bound as stored times compare: bounds past either end of the stored range are clamped to it. */
export function isoBound(value: Date | string, what: string): string {
  const time = new Date(value).getTime();
  if (Number.isNaN(time)) throw new RangeError(`${what} is not a valid time: "${String(value)}".`);
  return new Date(Math.min(LATEST_TIME, Math.max(EARLIEST_TIME, time))).toISOString();
}
