import type { HostLogger, LogLevel } from "../../../devhost/app/HostLogger.js";

/** A HostLogger that keeps its lines for assertions. */
export class RecordingLogger implements HostLogger {
  readonly lines: { level: LogLevel; message: string }[] = [];

  log(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
  }
}
