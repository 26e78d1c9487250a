import { ValidationError } from "./ValidationError.js";
import { requireObject } from "./jsonShapes.js";

/**
 * The monitoring pattern: poll an endpoint on a durable timer until a condition holds or the
 * monitor expires. A monitor fetches whatever URL it is given, which makes it a server-side request
 * forgery door; the URL policy below closes it to non-http(s) schemes and, when
 * MONITOR_ALLOWED_HOSTS is set, to every host and port not on that list.
 */

export const MONITOR_DEFAULTS = {
  intervalSeconds: 30,
  minIntervalSeconds: 5,
  maxIntervalSeconds: 24 * 60 * 60,
  expiryMinutes: 60,
  maxExpiryMinutes: 7 * 24 * 60,
  maxBodyContainsLength: 1000,
} as const;

export interface MonitorExpectation {
  status?: number;
  bodyContains?: string;
}

export interface MonitorRequest {
  url: string;
  expect: MonitorExpectation;
  intervalSeconds: number;
  expiryMinutes: number;
}

/** What CheckEndpoint saw; error is set when no HTTP response came back. */
export interface EndpointObservation {
  status?: number;
  bodyMatched?: boolean;
  error?: string;
}

export interface MonitorProgress {
  checks: number;
  lastStatus?: number;
  lastError?: string;
  nextCheckAt?: string;
  expiresAt: string;
}

export interface MonitorResult {
  status: "met" | "expired";
  checks: number;
}

const ALLOWED_HOSTS_SETTING = "MONITOR_ALLOWED_HOSTS";

/**
 * The MONITOR_ALLOWED_HOSTS setting as a list of normalised entries, or undefined (no restriction)
 * when it is empty. An entry is a host name or IP address, optionally with a port: `example.com`
 * allows only the scheme's default port (80 for http, 443 for https), `example.com:8443` allows that
 * port. A malformed entry throws rather than being skipped: a list whose every entry was skipped
 * would otherwise turn into "any host".
 */
export function parseAllowedHosts(setting: string | undefined): string[] | undefined {
  const hosts = (setting ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map(normaliseHostEntry);
  return hosts.length > 0 ? hosts : undefined;
}

/**
 * One allowed-hosts entry as `host` or `host:port`: the host lower-cased and normalised as a URL
 * would normalise it (so `2852039166` is `169.254.169.254`), the port without leading zeros.
 */
function normaliseHostEntry(entry: string): string {
  const match = /^(\[[0-9a-f:.]+\]|[^\s/\\?#@:[\]]+)(?::(\d{1,5}))?$/i.exec(entry);
  const host = match?.[1];
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  let hostname: string | undefined;
  try {
    hostname = host === undefined ? undefined : new URL(`http://${host}/`).hostname;
  } catch {
    hostname = undefined;
  }
  if (hostname === undefined || hostname === "" || (port !== undefined && (port < 1 || port > 65_535))) {
    throw new Error(
      `${ALLOWED_HOSTS_SETTING}: '${entry}' is not a host name with an optional port, such as example.com or example.com:8443.`,
    );
  }
  return port === undefined ? hostname : `${hostname}:${port}`;
}

/**
 * Returns why the URL may not be monitored, or undefined when it may. allowedHosts are entries as
 * parseAllowedHosts returns them (they are normalised again here, so a hand-written list works too).
 */
export function refuseMonitorUrl(rawUrl: string, allowedHosts: string[] | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return "url is not a valid absolute URL.";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `Only http and https URLs can be monitored, not ${url.protocol.replace(":", "")}.`;
  }
  if (url.username !== "" || url.password !== "") {
    return "url must not carry credentials.";
  }
  if (allowedHosts === undefined) return undefined;

  const entries = new Set(allowedHosts.map((entry) => normaliseHostEntry(entry.trim())));
  // URL lower-cases http(s) host names and leaves the port empty when it is the scheme's default.
  const host = url.hostname;
  const defaultPort = url.protocol === "https:" ? "443" : "80";
  const port = url.port === "" ? defaultPort : url.port;
  if (entries.has(`${host}:${port}`) || (port === defaultPort && entries.has(host))) return undefined;
  const hostListed = [...entries].some((entry) => entry === host || entry.startsWith(`${host}:`));
  return hostListed
    ? `The port ${port} on the host '${host}' is not in ${ALLOWED_HOSTS_SETTING}.`
    : `The host '${host}' is not in ${ALLOWED_HOSTS_SETTING}.`;
}

/**
 * The URL as it may be logged or reported: origin and path only. The query string and fragment
 * can carry tokens (`?code=`, `?sig=`), and credentials are refused anyway.
 */
export function urlForLog(rawUrl: string): string {
  try {
    const url = new URL(rawUrl);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
}

export function validateMonitorRequest(input: unknown, allowedHosts: string[] | undefined): MonitorRequest {
  const body = requireObject(input, "The monitor request");
  if (typeof body.url !== "string") {
    throw new ValidationError("invalid_url", "url must be a string.");
  }
  const refusal = refuseMonitorUrl(body.url, allowedHosts);
  if (refusal !== undefined) throw new ValidationError("invalid_url", refusal);
  return {
    url: body.url,
    expect: validateExpectation(body.expect),
    intervalSeconds: optionalInteger(
      body.intervalSeconds,
      "intervalSeconds",
      MONITOR_DEFAULTS.intervalSeconds,
      MONITOR_DEFAULTS.minIntervalSeconds,
      MONITOR_DEFAULTS.maxIntervalSeconds,
    ),
    expiryMinutes: optionalInteger(
      body.expiryMinutes,
      "expiryMinutes",
      MONITOR_DEFAULTS.expiryMinutes,
      1,
      MONITOR_DEFAULTS.maxExpiryMinutes,
    ),
  };
}

export function isConditionMet(expect: MonitorExpectation, observation: EndpointObservation): boolean {
  if (observation.status === undefined) return false;
  if (expect.status !== undefined && observation.status !== expect.status) return false;
  if (expect.bodyContains !== undefined && observation.bodyMatched !== true) return false;
  return true;
}

/** The next poll time, or undefined when the next poll would fall at or after expiry. */
export function nextCheckTime(now: Date, intervalSeconds: number, expiresAt: Date): Date | undefined {
  const next = new Date(now.getTime() + intervalSeconds * 1000);
  return next.getTime() < expiresAt.getTime() ? next : undefined;
}

function validateExpectation(raw: unknown): MonitorExpectation {
  const expect = requireObject(raw, "expect");
  const result: MonitorExpectation = {};
  if (expect.status !== undefined) {
    if (typeof expect.status !== "number" || !Number.isInteger(expect.status) || expect.status < 100 || expect.status > 599) {
      throw new ValidationError("invalid_expect", "expect.status must be an HTTP status code (100-599).");
    }
    result.status = expect.status;
  }
  if (expect.bodyContains !== undefined) {
    if (
      typeof expect.bodyContains !== "string" ||
      expect.bodyContains.length === 0 ||
      expect.bodyContains.length > MONITOR_DEFAULTS.maxBodyContainsLength
    ) {
      throw new ValidationError(
        "invalid_expect",
        `expect.bodyContains must be a non-empty string of at most ${MONITOR_DEFAULTS.maxBodyContainsLength} characters.`,
      );
    }
    result.bodyContains = expect.bodyContains;
  }
  if (result.status === undefined && result.bodyContains === undefined) {
    throw new ValidationError("invalid_expect", "expect needs status, bodyContains or both.");
  }
  return result;
}

function optionalInteger(raw: unknown, field: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min || raw > max) {
    throw new ValidationError(`invalid_${field}`, `${field} must be an integer from ${min} to ${max}.`);
  }
  return raw;
}
