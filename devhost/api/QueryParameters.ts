import type { RuntimeStatus } from "../protocol/runtimeStatus.js";

const RUNTIME_STATUSES: ReadonlySet<string> = new Set<RuntimeStatus>([
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Canceled",
  "Terminated",
  "Suspended",
]);

/**
 * A request's query string read the way the extension reads it: names in any case (a .NET
 * NameValueCollection), repeated names joined with commas, and values that do not parse (.NET
 * TryParse) treated as absent, so the default applies.
 */
export class QueryParameters {
  constructor(private readonly search: URLSearchParams) {}

  string(name: string): string | undefined {
    const lower = name.toLowerCase();
    const values = [...this.search].filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
    return values.length === 0 ? undefined : values.join(",");
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name)?.trim().toLowerCase();
    return value === "true" ? true : value === "false" ? false : undefined;
  }

  integer(name: string): number | undefined {
    const value = this.string(name)?.trim();
    if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
    const parsed = Number(value);
    return Math.abs(parsed) <= 2 ** 31 - 1 ? parsed : undefined;
  }

  /** A number of seconds (double.TryParse), in milliseconds. */
  seconds(name: string): number | undefined {
    const value = this.string(name)?.trim();
    const parsed = value === undefined || value === "" ? Number.NaN : Number(value);
    return Number.isFinite(parsed) ? parsed * 1000 : undefined;
  }

  /** An instant, as ISO 8601 UTC. */
  dateTime(name: string): string | undefined {
    const value = this.string(name);
    const parsed = value === undefined ? Number.NaN : Date.parse(value);
    return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
  }

  /** A comma-separated list of runtime statuses; names that are not statuses are skipped (Enum.TryParse). */
  runtimeStatuses(name: string): RuntimeStatus[] | undefined {
    const statuses = (this.string(name) ?? "")
      .split(",")
      .map((value) => value.trim())
      .filter((value): value is RuntimeStatus => RUNTIME_STATUSES.has(value));
    return statuses.length === 0 ? undefined : statuses;
  }
}
