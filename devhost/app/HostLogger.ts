/**
 * Log lines in the shape Core Tools prints them: a UTC timestamp in brackets, then the message.
 * Errors and warnings go to stderr, the rest to stdout.
 */
export type LogLevel = "trace" | "debug" | "information" | "warning" | "error" | "critical";

export interface HostLogger {
  log(level: LogLevel, message: string): void;
}

export class ConsoleHostLogger implements HostLogger {
  constructor(private readonly minimum: LogLevel = "information") {}

  log(level: LogLevel, message: string): void {
    if (rank(level) < rank(this.minimum)) return;
    const line = `[${new Date().toISOString()}] ${message}\n`;
    if (rank(level) >= rank("warning")) process.stderr.write(line);
    else process.stdout.write(line);
  }
}

const LEVELS: readonly LogLevel[] = ["trace", "debug", "information", "warning", "error", "critical"];
const rank = (level: LogLevel): number => LEVELS.indexOf(level);

/**
 * A URL or request target as it may be logged: the query string can carry a function key
 * (`?code=`) or a SAS token (`?sig=`), and logs travel further than requests (Application
 * Insights, CI output).
 */
export function withoutQuery(target: string): string {
  const queryStart = target.search(/[?#]/);
  return queryStart < 0 ? target : `${target.slice(0, queryStart)}?…`;
}
