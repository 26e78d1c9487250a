import type { LogLevel } from "./HostLogger.js";

const LEVELS = new Set<string>(["trace", "debug", "information", "warning", "error", "critical"]);

/** The library's log levels are the host's, plus "none", which writes nothing. */
export function toHostLogLevel(level: unknown): LogLevel | undefined {
  if (level === "none") return undefined;
  return typeof level === "string" && LEVELS.has(level) ? (level as LogLevel) : "information";
}
