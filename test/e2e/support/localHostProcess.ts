import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REALHOST_DLL } from "../../../scripts/realhost.mjs";

/**
 * One of the project's local hosts as a child process of a test file: the devhost (devhost/, run
 * from its build with the Node that runs the tests) or the real-extension host (realhost/, run from
 * its build with `dotnet`), ready once it prints its listening line, and never left behind
 * (stop/kill in afterAll, and SIGKILL on process exit for anything still running). The
 * real-extension host's Node worker exits on its own when the host dies.
 */

export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../../", import.meta.url)));
export const DEVHOST_MAIN = path.join(REPO_ROOT, "devhost", "dist", "main.js");

/** "devhost": our re-implementation, with a virtual clock. "realhost": the real Durable extension. */
export type HostKind = "devhost" | "realhost";

/** The one line both hosts print to stdout once their HTTP server, worker and dispatchers are up. */
const READY_LINE = /Local durable host listening on (http:\/\/127\.0\.0\.1:(\d+))/;

/** Enough for a cold start (loading the app, creating the task hub in Azurite) on a slow CI machine. */
const DEFAULT_READY_TIMEOUT_MS = 45_000;
/** A graceful stop waits for in-flight work; past this the host is killed and the stop reported as failed. */
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
/** Lines kept for failure messages; older ones are dropped so a long file cannot exhaust memory. */
const MAX_LOG_LINES = 20_000;

export type ClockMode = "real" | "virtual";

export interface LocalHostOptions {
  /** Which host to run; the devhost by default. */
  kind?: HostKind;
  /** The app to load (host.json, local.settings.json, dist/); the repository root by default. */
  appRoot?: string;
  /** 0 (the default) lets the host pick a free port. */
  port?: number;
  /** The devhost's clock; the real-extension host has only the real one. */
  clock?: ClockMode;
  /** Realhost only: the worker script (--worker), for an app outside this repository's tree. */
  workerScript?: string;
  /** Devhost only. false passes --no-auto-skip: a virtual clock then moves only when a test advances it. */
  autoSkip?: boolean;
  /** Devhost only. false passes --no-batching. */
  batching?: boolean;
  /** Devhost only (the real extension takes the equivalent settings from `env`): how long its queue and partition leases last. */
  leaseSeconds?: number;
  /** Settings as environment variables; they win over local.settings.json, as under Core Tools. */
  env: Record<string, string>;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface ClockReading {
  mode: ClockMode;
  now: string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child still running in this process, killed on exit so that a crashed test file leaks nothing. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; kill() is, and SIGKILL cannot be ignored.
  process.on("exit", () => {
    for (const running of liveChildren) running.kill("SIGKILL");
  });
}

export class LocalHostProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private lastExit: Exit | undefined;
  private readonly lines: string[] = [];
  /** How many lines were ever logged: a cursor stays valid after old lines are dropped. */
  private linesLogged = 0;
  private url = "";

  private constructor(private readonly options: LocalHostOptions) {}

  /** Starts the host and resolves once it is listening; rejects with its output if it exits or hangs first. */
  static async start(options: LocalHostOptions): Promise<LocalHostProcess> {
    const host = new LocalHostProcess(options);
    await host.spawnAndWait(options.port ?? 0);
    return host;
  }

  /** http://127.0.0.1:<port>, without a trailing slash. */
  get baseUrl(): string {
    return this.url;
  }

  /** The host's process id while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** A position in the log, for logSince(). */
  logCursor(): number {
    return this.linesLogged;
  }

  /** The host's stdout and stderr lines since the cursor (the latest ones when there are many). */
  logSince(cursor: number, maxLines = 200): string {
    const firstKept = this.linesLogged - this.lines.length;
    const lines = this.lines.slice(Math.max(0, cursor - firstKept));
    const shown = lines.slice(-maxLines);
    const dropped = lines.length - shown.length;
    const exit = this.lastExit === undefined ? "" : `\n[host exited: code ${String(this.lastExit.code)}, signal ${String(this.lastExit.signal)}]`;
    return `${dropped > 0 ? `[${dropped} earlier lines omitted]\n` : ""}${shown.join("\n")}${exit}`;
  }

  /** SIGTERM, then waits for the exit; a host that does not stop in time is killed and the stop fails. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.lastExit !== undefined) return;
    child.kill("SIGTERM");
    const timeoutMs = this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    const outcome = await Promise.race([this.exit, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      child.kill("SIGKILL");
      await this.exit;
      throw new Error(`The host did not stop within ${timeoutMs} ms of SIGTERM and was killed.\n${this.logSince(0, 50)}`);
    }
  }

  /** SIGKILL: a crash, with no chance to release leases or finish work. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.lastExit !== undefined) return;
    child.kill("SIGKILL");
    await this.exit;
  }

  /**
   * Stops the host if it still runs (gracefully) and starts it again on the same port, so that
   * status URLs handed out before the restart stay valid.
   */
  async restart(): Promise<void> {
    await this.stop();
    const port = Number(new URL(this.url).port);
    this.log(`[test] restarting the host on port ${port}`);
    await this.spawnAndWait(port);
  }

  async clock(): Promise<ClockReading> {
    return this.clockRequest("GET", undefined);
  }

  /** Moves a virtual clock forward; the host answers 409 on the real clock, which fails here. */
  async advanceClock(milliseconds: number): Promise<ClockReading> {
    return this.clockRequest("POST", { milliseconds });
  }

  async advanceClockTo(instant: Date | string): Promise<ClockReading> {
    return this.clockRequest("POST", { to: typeof instant === "string" ? instant : instant.toISOString() });
  }

  private async clockRequest(method: "GET" | "POST", body: unknown): Promise<ClockReading> {
    const url = `${this.url}/admin/devhost/clock${method === "POST" ? "/advance" : ""}`;
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    });
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(`${method} ${url} ${JSON.stringify(body)} answered ${response.status}: ${text}`);
    }
    const reading = JSON.parse(text) as Partial<ClockReading>;
    if ((reading.mode !== "real" && reading.mode !== "virtual") || typeof reading.now !== "string") {
      throw new Error(`${method} ${url} answered a body that is not a clock reading: ${text}`);
    }
    this.log(`[test] ${method === "POST" ? `clock advanced by ${JSON.stringify(body)} to` : "clock read:"} ${reading.now}`);
    return { mode: reading.mode, now: reading.now };
  }

  /** The command and its arguments for the chosen host. */
  private command(port: number): [string, string[]] {
    const { kind, appRoot, clock, autoSkip, batching, leaseSeconds, workerScript } = this.options;
    if (kind !== "realhost" && workerScript !== undefined) throw new Error("Only the real-extension host takes a worker script.");
    if (kind === "realhost") {
      if ((clock ?? "real") !== "real" || autoSkip !== undefined || batching !== undefined || leaseSeconds !== undefined) {
        throw new Error("The real-extension host has the real clock only and takes its engine's settings from env (host.json keys as AzureFunctionsJobHost__…).");
      }
      return ["dotnet", [REALHOST_DLL, "--app-root", appRoot ?? REPO_ROOT, "--port", String(port), ...(workerScript === undefined ? [] : ["--worker", workerScript])]];
    }
    return [process.execPath, [
      DEVHOST_MAIN,
      "--app-root",
      appRoot ?? REPO_ROOT,
      "--port",
      String(port),
      "--clock",
      clock ?? "real",
      ...(autoSkip === false ? ["--no-auto-skip"] : []),
      ...(batching === false ? ["--no-batching"] : []),
      ...(leaseSeconds === undefined ? [] : ["--lease-seconds", String(leaseSeconds)]),
    ]];
  }

  private async spawnAndWait(port: number): Promise<void> {
    const [command, args] = this.command(port);
    this.log(`[test] ${path.basename(command)} ${args.map((arg) => (arg.includes(" ") ? JSON.stringify(arg) : arg)).join(" ")}`);
    const child = spawn(command, args, {
      cwd: this.options.appRoot ?? REPO_ROOT,
      env: { ...process.env, ...this.options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.lastExit = undefined;
    trackChild(child);
    this.exit = new Promise<Exit>((resolve) => {
      child.once("exit", (code, signal) => {
        this.lastExit = { code, signal };
        resolve(this.lastExit);
      });
    });

    const ready = new Promise<string>((resolve, reject) => {
      this.collect(child.stdout, "", (line) => {
        const match = READY_LINE.exec(line);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      this.collect(child.stderr, "[stderr] ");
      child.once("error", reject);
      void this.exit.then((exit) =>
        reject(new Error(`The host exited before it was ready (code ${String(exit.code)}, signal ${String(exit.signal)}).`)),
      );
    });
    const timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The host printed no ready line within ${timeoutMs} ms.`)), timeoutMs);
    });
    try {
      this.url = await Promise.race([ready, timedOut]);
    } catch (error) {
      child.kill("SIGKILL");
      await this.exit;
      throw new Error(`${(error as Error).message}\n${this.logSince(0, 80)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  private collect(stream: NodeJS.ReadableStream | null, prefix: string, onLine?: (line: string) => void): void {
    if (stream === null) return;
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const parts = pending.split(/\r?\n/);
      pending = parts.pop() ?? "";
      for (const line of parts) {
        this.log(`${prefix}${line}`);
        onLine?.(line);
      }
    });
    stream.on("end", () => {
      if (pending !== "") this.log(`${prefix}${pending}`);
    });
  }

  private log(line: string): void {
    this.lines.push(line);
    this.linesLogged += 1;
    if (this.lines.length > MAX_LOG_LINES) this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
  }
}
