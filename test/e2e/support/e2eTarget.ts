import { existsSync, readdirSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, inject, it, type SuiteOptions, type TestFunction } from "vitest";
import { realhostBuildIsCurrent } from "../../../scripts/realhost.mjs";
import { DEVHOST_MAIN, LocalHostProcess, REPO_ROOT, type ClockMode, type HostKind } from "./localHostProcess.js";

/**
 * Where the end-to-end tests send their requests. With E2E_BASE_URL set, to that server (a real
 * `func start` on Azurite, say), shared by every test file; otherwise to a fresh local host per
 * test file, on the run's in-memory Azurite, with a task hub of its own, so that files never see
 * each other's instances, entities or singleton claims. The local host is the devhost, or with
 * E2E_HOST=realhost the real-extension host (`npm run test:realhost` sets it).
 */

const externalBaseUrl = readExternalBaseUrl();

/** True when E2E_BASE_URL points the suite at a host it did not start and whose clock it cannot move. */
export const onExternalHost = externalBaseUrl !== undefined;

/** The local host each file starts when E2E_BASE_URL is not set. */
export const localHostKind: HostKind = readLocalHostKind();

/** Only the devhost has a clock a test can move; func start and the real extension run on the real one. */
const realClockOnly = onExternalHost || localHostKind === "realhost";

export const VIRTUAL_CLOCK_SKIP_REASON = onExternalHost
  ? "needs the devhost's virtual clock; E2E_BASE_URL runs on a host with the real clock"
  : "needs the devhost's virtual clock; the real extension runs on the real clock";
export const OWN_HOST_SKIP_REASON = "needs a host the suite starts, configures and stops itself; E2E_BASE_URL names one it does not";
export const FRESH_HUB_SKIP_REASON = "needs a task hub of its own, which only a host the suite starts gets; E2E_BASE_URL shares one across runs";

function readExternalBaseUrl(): string | undefined {
  const value = process.env.E2E_BASE_URL?.trim() ?? "";
  return value === "" ? undefined : value.replace(/\/+$/, "");
}

function readLocalHostKind(): HostKind {
  const value = process.env.E2E_HOST?.trim() ?? "";
  if (value === "" || value === "devhost") return "devhost";
  if (value === "realhost") return "realhost";
  throw new Error(`E2E_HOST must be "devhost" or "realhost", not "${value}".`);
}

/** A case that cannot run where `skipped` holds: skipped there, with the reason in its title. */
function itUnless(skipped: boolean, reason: string, title: string, fn: TestFunction, timeoutMs?: number): void {
  it.skipIf(skipped)(skipped ? `${title} [skipped: ${reason}]` : title, fn, timeoutMs);
}

/** A case that cannot run against E2E_BASE_URL: skipped there, with the reason in its title. */
export function itSkippedOnExternalHost(reason: string, title: string, fn: TestFunction, timeoutMs?: number): void {
  itUnless(onExternalHost, reason, title, fn, timeoutMs);
}

/**
 * A case that relies on behaviour of the devhost that the real extension does not have (each
 * caller names which): skipped on the real-extension host, with the reason in its title.
 */
export function itSkippedOnRealExtension(reason: string, title: string, fn: TestFunction, timeoutMs?: number): void {
  itUnless(!onExternalHost && localHostKind === "realhost", reason, title, fn, timeoutMs);
}

/** A case that moves the host's clock: the devhost's alone. */
export function itOnVirtualClock(title: string, fn: TestFunction, timeoutMs?: number): void {
  itUnless(realClockOnly, VIRTUAL_CLOCK_SKIP_REASON, title, fn, timeoutMs);
}

/** A case that relies on a setting the suite gives only a host it starts. */
export function itWithOwnHost(title: string, fn: TestFunction, timeoutMs?: number): void {
  itSkippedOnExternalHost(OWN_HOST_SKIP_REASON, title, fn, timeoutMs);
}

/** A group that starts, stops or configures the host itself: skipped against E2E_BASE_URL, saying why. */
export function describeWithOwnHost(title: string, options: SuiteOptions, factory: () => void): void {
  describe.skipIf(onExternalHost)(onExternalHost ? `${title} [skipped: ${OWN_HOST_SKIP_REASON}]` : title, options, factory);
}

export interface E2eTargetOptions {
  /** Letters only; names the task hub (with a random suffix) and the log lines. */
  name: string;
  /** The devhost's clock. Against E2E_BASE_URL and on the real-extension host the clock is always real. */
  clock?: ClockMode;
  /** false: a virtual clock moves only when a test advances it (for acting before a timeout). */
  autoSkip?: boolean;
  /**
   * How long a crashed host's queue messages and leases keep the next one waiting: the devhost's
   * --lease-seconds, the real extension's queue visibility timeouts and app lease.
   */
  leaseSeconds?: number;
  /**
   * More settings for the host, read when it starts (in this file's beforeAll, after the
   * beforeAll hooks registered before useE2eTarget), so they may name ports opened by those.
   */
  env?: () => Record<string, string>;
}

/** Covers a cold host start, which reads the app and creates the task hub's queues and tables. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export class E2eTarget {
  private process: LocalHostProcess | undefined;
  private hubName: string | undefined;
  private started = false;

  constructor(private readonly options: E2eTargetOptions) {}

  /** The origin the app answers on, e.g. http://127.0.0.1:43123; no trailing slash. */
  get baseUrl(): string {
    this.requireStarted();
    return externalBaseUrl ?? this.host.baseUrl;
  }

  /** An absolute URL for a path on the target, e.g. url("/api/counter"). */
  url(pathAndQuery: string): string {
    return `${this.baseUrl}${pathAndQuery}`;
  }

  /** The host this file started; throws against E2E_BASE_URL (guard such cases with describeWithOwnHost). */
  get host(): LocalHostProcess {
    if (this.process === undefined) throw new Error("This target has no host of its own: E2E_BASE_URL is set or it has not started.");
    return this.process;
  }

  /** The task hub when the suite chose it (its own host); undefined against E2E_BASE_URL. */
  get taskHub(): string | undefined {
    return this.hubName;
  }

  get clockMode(): ClockMode {
    return realClockOnly ? "real" : (this.options.clock ?? "real");
  }

  /**
   * The storage account the app writes to: the run's Azurite for a host the suite starts; for E2E_BASE_URL,
   * E2E_STORAGE_CONNECTION_STRING, or the Azurite on its default ports that `func start` uses.
   */
  get storageConnectionString(): string {
    if (!onExternalHost) return inject("azuriteConnectionString");
    const value = process.env.E2E_STORAGE_CONNECTION_STRING?.trim() ?? "";
    return value === "" ? "UseDevelopmentStorage=true" : value;
  }

  async advanceClock(milliseconds: number): Promise<Date> {
    return new Date((await this.host.advanceClock(milliseconds)).now);
  }

  async advanceClockTo(instant: Date | string): Promise<Date> {
    return new Date((await this.host.advanceClockTo(instant)).now);
  }

  async start(): Promise<void> {
    this.started = true;
    if (onExternalHost) return;
    assertBuildIsCurrent();
    this.hubName = uniqueTaskHub(this.options.name);
    const { clock, autoSkip, leaseSeconds } = this.options;
    const onRealExtension = localHostKind === "realhost";
    this.process = await LocalHostProcess.start({
      kind: localHostKind,
      ...(onRealExtension
        ? {}
        : { clock: clock ?? "real", ...(autoSkip === undefined ? {} : { autoSkip }), ...(leaseSeconds === undefined ? {} : { leaseSeconds }) }),
      env: {
        ...(onRealExtension ? realExtensionSettings(leaseSeconds !== undefined) : {}),
        AzureWebJobsStorage: inject("azuriteConnectionString"),
        FUNCTIONS_WORKER_RUNTIME: "node",
        TASKHUB_NAME: this.hubName,
        // Explicitly empty, so that a developer's local.settings.json cannot switch them on for the suite.
        APPLICATIONINSIGHTS_CONNECTION_STRING: "",
        MONITOR_ALLOWED_HOSTS: "",
        ...this.options.env?.(),
      },
    });
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** Host log lines since the cursor, for a failed test's report; empty against E2E_BASE_URL. */
  logCursor(): number {
    return this.process?.logCursor() ?? 0;
  }

  logSince(cursor: number): string {
    return this.process?.logSince(cursor) ?? "";
  }

  private requireStarted(): void {
    if (!this.started) throw new Error("The e2e target is used before its beforeAll ran.");
  }
}

/**
 * The target for this test file: starts in beforeAll, stops in afterAll, and prints the host's
 * log lines of any failed test (they usually say why).
 */
export function useE2eTarget(options: E2eTargetOptions): E2eTarget {
  const target = new E2eTarget(options);
  beforeAll(() => target.start(), START_TIMEOUT_MS);
  afterAll(() => target.stop(), STOP_TIMEOUT_MS);
  beforeEach((context) => {
    const cursor = target.logCursor();
    context.onTestFailed(() => {
      const log = target.logSince(cursor);
      if (log !== "") console.error(`${localHostKind} log during "${context.task.name}":\n${log}`);
    });
  });
  return target;
}

/**
 * The real extension's settings for the suite, as host.json overrides in the environment (as the
 * Functions host reads them): idle queue polling backs off to one second rather than host.json's
 * ten, so that a step does not wait out a backed-off poll; and with short leases, a crashed
 * host's dequeued messages reappear after a minute, the shortest visibility timeout the extension
 * accepts, instead of five.
 */
function realExtensionSettings(shortLeases: boolean): Record<string, string> {
  const durableTask = "AzureFunctionsJobHost__extensions__durableTask";
  return {
    [`${durableTask}__storageProvider__maxQueuePollingInterval`]: "00:00:01",
    ...(shortLeases
      ? {
          [`${durableTask}__storageProvider__controlQueueVisibilityTimeout`]: "00:01:00",
          [`${durableTask}__storageProvider__workItemQueueVisibilityTimeout`]: "00:01:00",
        }
      : {}),
  };
}

/** TASKHUB_NAME: letters and digits, starting with a letter, short enough for `<hub>SingletonClaims`. */
function uniqueTaskHub(name: string): string {
  const letters = name.replace(/[^A-Za-z]/g, "").slice(0, 16);
  return `e2e${letters}${randomBytes(5).toString("hex")}`;
}

/**
 * The hosts run the compiled app (dist/) and the devhost's build (devhost/dist/, the real-extension
 * host's worker included), the real-extension host its own build too. A missing or stale build
 * would test old code, so the suite refuses to run on one and says what to do.
 */
function assertBuildIsCurrent(): void {
  if (localHostKind === "realhost" && !realhostBuildIsCurrent()) {
    throw new Error("The real-extension host's build is missing or older than its sources: run `npm run test:realhost`, which builds it.");
  }
  if (!existsSync(DEVHOST_MAIN)) {
    throw new Error(`${path.relative(REPO_ROOT, DEVHOST_MAIN)} does not exist: run \`npm run build\` before the end-to-end tests.`);
  }
  const stale = [
    ...staleOutputs(path.join(REPO_ROOT, "src"), path.join(REPO_ROOT, "dist")),
    ...staleOutputs(path.join(REPO_ROOT, "devhost"), path.join(REPO_ROOT, "devhost", "dist")),
  ];
  if (stale.length > 0) {
    throw new Error(
      `The build is older than its sources (${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ", …" : ""}): run \`npm run build\` before the end-to-end tests.`,
    );
  }
}

/** Every .ts file below sourceDir whose .js in outDir is missing or older. */
function staleOutputs(sourceDir: string, outDir: string): string[] {
  const stale: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== outDir && entry.name !== "node_modules") visit(full);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const output = path.join(outDir, path.relative(sourceDir, full)).replace(/\.ts$/, ".js");
        if (!existsSync(output) || statSync(output).mtimeMs < statSync(full).mtimeMs) stale.push(path.relative(REPO_ROOT, full));
      }
    }
  };
  visit(sourceDir);
  return stale;
}
