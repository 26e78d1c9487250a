import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { itOnVirtualClock, itWithOwnHost, useE2eTarget } from "./support/e2eTarget.js";
import { startAndCheck, startOrchestration, uniqueId } from "./support/app.js";
import { isTerminal, terminateQuietly, waitForCompletion, waitForStatus, type CheckStatusPayload, type InstanceStatus } from "./support/durable.js";
import { anyString, expectJsonError } from "./support/http.js";
import { HealthEndpoint } from "./support/healthEndpoint.js";

/**
 * Monitor, polling on durable timers, against a local endpoint. On the devhost the virtual clock
 * moves only when a test advances it: each interval is skipped by advancing to the instance's own
 * nextCheckAt, and expiry by advancing to its expiresAt. On the real clock (E2E_BASE_URL) the
 * intervals simply pass.
 */

// Listening before the host starts (beforeAll hooks run in order), so the host can allow its port.
const endpoint = new HealthEndpoint();
beforeAll(() => endpoint.listen());
afterAll(() => endpoint.close());

const target = useE2eTarget({
  name: "monitor",
  clock: "virtual",
  autoSkip: false,
  env: () => ({ MONITOR_ALLOWED_HOSTS: endpoint.hostAndPort }),
});

const INTERVAL_SECONDS = 5;

interface MonitorProgress {
  checks: number;
  lastStatus?: number;
  lastError?: string;
  nextCheckAt?: string;
  expiresAt: string;
}

function progressOf(status: InstanceStatus): MonitorProgress | undefined {
  return (status.customStatus ?? undefined) as MonitorProgress | undefined;
}

async function startMonitor(request: Record<string, unknown>): Promise<CheckStatusPayload> {
  const payload = await startAndCheck(target, "Monitor", { data: JSON.stringify(request) });
  onTestFinished(() => terminateQuietly(payload));
  return payload;
}

/** Waits for the next check (or the end); on the virtual clock, then moves it to that check's next one. */
async function runToEnd(payload: CheckStatusPayload): Promise<InstanceStatus> {
  let checks = 0;
  for (;;) {
    const status = await waitForStatus(
      payload.statusQueryGetUri,
      `check ${checks + 1} or the end`,
      (seen) => isTerminal(seen) || (progressOf(seen)?.checks ?? 0) > checks,
      // On the real clock each check waits out its interval first.
      { timeoutMs: INTERVAL_SECONDS * 1000 + 30_000 },
    );
    const progress = progressOf(status);
    if (isTerminal(status) || progress === undefined) return status;
    checks = progress.checks;
    if (target.clockMode === "virtual" && progress.nextCheckAt !== undefined) await target.advanceClockTo(progress.nextCheckAt);
  }
}

describe("Monitor, polling on durable timers", { timeout: 90_000 }, () => {
  it("ends 'met' at the check where the endpoint first answers as expected, and reports progress before", async () => {
    const url = endpoint.scenario(uniqueId("met"), 3);
    const payload = await startMonitor({
      url,
      expect: { status: 200, bodyContains: "healthy" },
      intervalSeconds: INTERVAL_SECONDS,
      expiryMinutes: 60,
    });
    const status = await runToEnd(payload);
    expect(status.runtimeStatus, JSON.stringify(status)).toBe("Completed");
    expect(status.output).toEqual({ status: "met", checks: 3 });
    expect(endpoint.requests(url)).toBe(3);
    // The progress of the last check that did not meet the condition.
    expect(status.customStatus).toEqual({
      checks: 2,
      lastStatus: 503,
      nextCheckAt: anyString(),
      expiresAt: anyString(),
    });
  });

  it("ends 'met' on the first check when the endpoint is already healthy, matching the body alone", async () => {
    const url = endpoint.scenario(uniqueId("up"), 1);
    const payload = await startMonitor({ url, expect: { bodyContains: "status: healthy" } });
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status.output).toEqual({ status: "met", checks: 1 });
    expect(endpoint.requests(url)).toBe(1);
  });

  itOnVirtualClock("ends 'expired' when the clock passes its expiry before the condition holds", async () => {
    const url = endpoint.scenario(uniqueId("down"), undefined);
    const payload = await startMonitor({ url, expect: { status: 200 }, intervalSeconds: INTERVAL_SECONDS, expiryMinutes: 1 });
    const first = await waitForStatus(payload.statusQueryGetUri, "the first check", (seen) => progressOf(seen)?.checks === 1);
    const progress = progressOf(first);
    if (progress?.nextCheckAt === undefined) throw new Error(`No next check: ${JSON.stringify(first)}`);
    expect(progress).toEqual({ checks: 1, lastStatus: 503, nextCheckAt: progress.nextCheckAt, expiresAt: progress.expiresAt });
    expect(Date.parse(progress.expiresAt)).toBeGreaterThan(Date.parse(progress.nextCheckAt));

    // The pending timer fires at the jump; that check is the last, since the next would fall after expiry.
    await target.advanceClockTo(progress.expiresAt);
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status.output).toEqual({ status: "expired", checks: 2 });
    expect(status.customStatus).toEqual({ checks: 2, lastStatus: 503, expiresAt: progress.expiresAt });
    expect(endpoint.requests(url)).toBe(2);
  });

  it("refuses malformed requests with 400 before starting anything", async () => {
    const url = endpoint.scenario(uniqueId("never-called"), 1);
    const refuse = async (request: unknown, code: string, message?: string): Promise<void> => {
      expectJsonError(await startOrchestration(target, "Monitor", { json: request }), 400, code, message);
    };
    await refuse({ url: "ftp://127.0.0.1/file", expect: { status: 200 } }, "invalid_url", "Only http and https URLs can be monitored, not ftp.");
    await refuse({ url: "http://user:pw@127.0.0.1/", expect: { status: 200 } }, "invalid_url", "url must not carry credentials.");
    await refuse({ url: "not a url", expect: { status: 200 } }, "invalid_url", "url is not a valid absolute URL.");
    await refuse({ url, expect: { status: 200 }, intervalSeconds: 4 }, "invalid_intervalSeconds", "intervalSeconds must be an integer from 5 to 86400.");
    await refuse({ url, expect: { status: 200 }, expiryMinutes: 0 }, "invalid_expiryMinutes", "expiryMinutes must be an integer from 1 to 10080.");
    await refuse({ url }, "invalid_body", "expect must be a JSON object, not nothing.");
    await refuse({ url, expect: {} }, "invalid_expect", "expect needs status, bodyContains or both.");
    await refuse({ url, expect: { status: 99 } }, "invalid_expect", "expect.status must be an HTTP status code (100-599).");
    expect(endpoint.requests(url)).toBe(0);
  });

  itWithOwnHost("refuses hosts and ports that MONITOR_ALLOWED_HOSTS does not list", async () => {
    const port = new URL(`http://${endpoint.hostAndPort}`).port;
    const otherPort = port === "1" ? "2" : "1";
    expectJsonError(
      await startOrchestration(target, "Monitor", { json: { url: `http://127.0.0.1:${otherPort}/health`, expect: { status: 200 } } }),
      400,
      "invalid_url",
      `The port ${otherPort} on the host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.`,
    );
    expectJsonError(
      await startOrchestration(target, "Monitor", { json: { url: `http://localhost:${port}/health`, expect: { status: 200 } } }),
      400,
      "invalid_url",
      "The host 'localhost' is not in MONITOR_ALLOWED_HOSTS.",
    );
  });
});
