import { describe, expect, it } from "vitest";
import {
  isConditionMet,
  MONITOR_DEFAULTS,
  nextCheckTime,
  parseAllowedHosts,
  refuseMonitorUrl,
  urlForLog,
  validateMonitorRequest,
} from "../../src/logic/monitor.js";
import { validationErrorOf } from "../support/thrownErrors.js";

const url = "https://status.example.com/health";

describe("parseAllowedHosts", () => {
  it.each([undefined, "", " ", ",", " , ,"])("is undefined (no restriction) for %j", (setting) => {
    expect(parseAllowedHosts(setting)).toBeUndefined();
  });

  it("splits, trims, lower-cases and drops empty entries", () => {
    expect(parseAllowedHosts(" Example.COM , api.example.com,,localhost ")).toEqual([
      "example.com",
      "api.example.com",
      "localhost",
    ]);
  });

  it("keeps a port, lower-cases the host before it and drops leading zeros", () => {
    expect(parseAllowedHosts("Status.Example.COM:8443, localhost:07071,example.com:443")).toEqual([
      "status.example.com:8443",
      "localhost:7071",
      "example.com:443",
    ]);
  });

  it("normalises IP addresses as URLs do, IPv6 in brackets", () => {
    expect(parseAllowedHosts("2852039166, 127.1:8080, [::1], [0:0:0:0:0:0:0:1]:9000")).toEqual([
      "169.254.169.254",
      "127.0.0.1:8080",
      "[::1]",
      "[::1]:9000",
    ]);
  });

  it.each([
    "https://example.com",
    "example.com/health",
    "example.com:",
    "example.com:abc",
    "example.com:0",
    "example.com:65536",
    "example.com:123456",
    ":8080",
    "user@example.com",
    "exa mple.com",
    "example.com?x=1",
    "::1",
    "[::1",
    "[example.com]:80",
  ])("refuses the entry %j, naming the setting, rather than skip it", (entry) => {
    expect(() => parseAllowedHosts(`example.org, ${entry}`)).toThrow(
      `MONITOR_ALLOWED_HOSTS: '${entry}' is not a host name with an optional port, such as example.com or example.com:8443.`,
    );
  });
});

describe("refuseMonitorUrl", () => {
  it.each(["http://example.com", "https://example.com/path?q=1#frag", "http://localhost:7071/api/x", "https://169.254.169.254/"])(
    "allows %s when no host list is set",
    (raw) => {
      expect(refuseMonitorUrl(raw, undefined)).toBeUndefined();
    },
  );

  it.each([
    ["ftp://example.com/file", "ftp"],
    ["file:///etc/passwd", "file"],
    ["javascript:alert(1)", "javascript"],
    ["data:text/plain,hello", "data"],
    ["ws://example.com", "ws"],
  ])("refuses %s because of its scheme", (raw, scheme) => {
    expect(refuseMonitorUrl(raw, undefined)).toBe(`Only http and https URLs can be monitored, not ${scheme}.`);
  });

  it.each(["not-a-url", "", "/relative/path", "example.com", "http://"])("refuses %j as not a URL", (raw) => {
    expect(refuseMonitorUrl(raw, undefined)).toBe("url is not a valid absolute URL.");
  });

  it.each(["https://user:secret@example.com/", "https://user@example.com/", "https://:secret@example.com/"])(
    "refuses %s because it carries credentials",
    (raw) => {
      expect(refuseMonitorUrl(raw, undefined)).toBe("url must not carry credentials.");
    },
  );

  describe("with an allowed host list", () => {
    const allowed = parseAllowedHosts("Status.Example.com,api.example.org");

    it.each(["https://status.example.com/health", "https://STATUS.EXAMPLE.COM/health", "http://Api.Example.Org/x"])(
      "allows %s, comparing hosts case-insensitively",
      (raw) => {
        expect(refuseMonitorUrl(raw, allowed)).toBeUndefined();
      },
    );

    it.each(["https://status.example.com:443/health", "http://status.example.com:80/health", "http://status.example.com/"])(
      "allows %s: a host listed without a port allows the scheme's default port",
      (raw) => {
        expect(refuseMonitorUrl(raw, allowed)).toBeUndefined();
      },
    );

    it.each([
      ["http://status.example.com:6379/", "6379"],
      ["https://status.example.com:8443/health", "8443"],
      ["http://status.example.com:443/", "443"],
      ["https://status.example.com:80/", "80"],
      ["http://API.example.org:22/", "22"],
    ])("refuses %s: a host listed without a port allows no other port", (raw, port) => {
      const host = new URL(raw).hostname;
      expect(refuseMonitorUrl(raw, allowed)).toBe(`The port ${port} on the host '${host}' is not in MONITOR_ALLOWED_HOSTS.`);
    });

    it("allows exactly the port an entry names, on either scheme", () => {
      const withPorts = parseAllowedHosts("status.example.com:8443, api.example.org:443");
      expect(refuseMonitorUrl("https://status.example.com:8443/health", withPorts)).toBeUndefined();
      expect(refuseMonitorUrl("http://status.example.com:8443/health", withPorts)).toBeUndefined();
      expect(refuseMonitorUrl("https://api.example.org/", withPorts)).toBeUndefined();
      expect(refuseMonitorUrl("http://api.example.org:443/", withPorts)).toBeUndefined();
      expect(refuseMonitorUrl("https://status.example.com/health", withPorts)).toBe(
        "The port 443 on the host 'status.example.com' is not in MONITOR_ALLOWED_HOSTS.",
      );
      expect(refuseMonitorUrl("http://api.example.org/", withPorts)).toBe(
        "The port 80 on the host 'api.example.org' is not in MONITOR_ALLOWED_HOSTS.",
      );
    });

    it("allows a host with several ports when each is listed", () => {
      const twoPorts = parseAllowedHosts("127.0.0.1:7071,127.0.0.1:8080");
      expect(refuseMonitorUrl("http://127.0.0.1:7071/api/health", twoPorts)).toBeUndefined();
      expect(refuseMonitorUrl("http://127.0.0.1:8080/", twoPorts)).toBeUndefined();
      expect(refuseMonitorUrl("http://127.0.0.1:6379/", twoPorts)).toBe(
        "The port 6379 on the host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.",
      );
      expect(refuseMonitorUrl("http://127.0.0.1/", twoPorts)).toBe(
        "The port 80 on the host '127.0.0.1' is not in MONITOR_ALLOWED_HOSTS.",
      );
    });

    it("compares IPv6 hosts and ports", () => {
      const ipv6 = parseAllowedHosts("[::1]:9000");
      expect(refuseMonitorUrl("http://[0::1]:9000/", ipv6)).toBeUndefined();
      expect(refuseMonitorUrl("http://[::1]:9001/", ipv6)).toBe("The port 9001 on the host '[::1]' is not in MONITOR_ALLOWED_HOSTS.");
    });

    it("lower-cases and normalises a list that did not come from parseAllowedHosts", () => {
      expect(refuseMonitorUrl("https://status.example.com/", ["Status.Example.COM"])).toBeUndefined();
      expect(refuseMonitorUrl("https://status.example.com:8443/", [" STATUS.example.com:08443 "])).toBeUndefined();
      expect(refuseMonitorUrl("https://status.example.com:9443/", ["STATUS.example.com:8443"])).toBe(
        "The port 9443 on the host 'status.example.com' is not in MONITOR_ALLOWED_HOSTS.",
      );
    });

    it("does not take a host name that merely starts like a listed one for that host", () => {
      expect(refuseMonitorUrl("https://status.example.co:8443/", parseAllowedHosts("status.example.com:8443"))).toBe(
        "The host 'status.example.co' is not in MONITOR_ALLOWED_HOSTS.",
      );
    });

    it.each([
      ["http://169.254.169.254/metadata/instance", "169.254.169.254"],
      ["http://2852039166/", "169.254.169.254"],
      ["http://localhost:7071/", "localhost"],
      ["http://127.0.0.1/", "127.0.0.1"],
      ["https://example.com/", "example.com"],
      ["https://evil.status.example.com/", "evil.status.example.com"],
      ["https://status.example.com.evil.test/", "status.example.com.evil.test"],
    ])("refuses %s, whose host is not listed", (raw, host) => {
      expect(refuseMonitorUrl(raw, allowed)).toBe(`The host '${host}' is not in MONITOR_ALLOWED_HOSTS.`);
    });

    it("checks the scheme before the host list", () => {
      expect(refuseMonitorUrl("ftp://status.example.com/", allowed)).toBe(
        "Only http and https URLs can be monitored, not ftp.",
      );
    });
  });
});

describe("urlForLog", () => {
  it.each([
    ["https://status.example.com/health?code=s3cret&x=1#frag", "https://status.example.com/health"],
    ["https://Status.Example.com:8443/a/b/?sig=abc", "https://status.example.com:8443/a/b/"],
    ["http://example.com:80?token=t", "http://example.com/"],
    ["https://user:pass@example.com/p?q", "https://example.com/p"],
  ])("cuts %s down to origin and path", (raw, logged) => {
    expect(urlForLog(raw)).toBe(logged);
  });

  it("does not echo something that is not a URL", () => {
    expect(urlForLog("not a url?token=secret")).toBe("(not a valid URL)");
  });
});

describe("validateMonitorRequest", () => {
  it("applies the default interval and expiry", () => {
    expect(MONITOR_DEFAULTS.intervalSeconds).toBe(30);
    expect(MONITOR_DEFAULTS.expiryMinutes).toBe(60);
    expect(validateMonitorRequest({ url, expect: { status: 200 } }, undefined)).toEqual({
      url,
      expect: { status: 200 },
      intervalSeconds: 30,
      expiryMinutes: 60,
    });
  });

  it("keeps given values and drops unknown fields", () => {
    expect(
      validateMonitorRequest(
        { url, expect: { status: 503, bodyContains: "ok", other: 1 }, intervalSeconds: 5, expiryMinutes: 1, x: 1 },
        undefined,
      ),
    ).toEqual({ url, expect: { status: 503, bodyContains: "ok" }, intervalSeconds: 5, expiryMinutes: 1 });
  });

  it("accepts bodyContains alone", () => {
    expect(validateMonitorRequest({ url, expect: { bodyContains: "healthy" } }, undefined).expect).toEqual({
      bodyContains: "healthy",
    });
  });

  it("refuses a body that is not an object", () => {
    const error = validationErrorOf(() => validateMonitorRequest([url], undefined));
    expect(error.code).toBe("invalid_body");
    expect(error.message).toBe("The monitor request must be a JSON object, not an array.");
  });

  it.each([undefined, 5, null])("refuses the url %j as not a string", (badUrl) => {
    const error = validationErrorOf(() => validateMonitorRequest({ url: badUrl, expect: { status: 200 } }, undefined));
    expect(error.code).toBe("invalid_url");
    expect(error.message).toBe("url must be a string.");
  });

  it("refuses a url the policy refuses, with the policy's reason", () => {
    const error = validationErrorOf(() =>
      validateMonitorRequest({ url: "http://169.254.169.254/", expect: { status: 200 } }, ["status.example.com"]),
    );
    expect(error.code).toBe("invalid_url");
    expect(error.message).toBe("The host '169.254.169.254' is not in MONITOR_ALLOWED_HOSTS.");
  });

  it("accepts a listed host", () => {
    expect(validateMonitorRequest({ url, expect: { status: 200 } }, ["status.example.com"]).url).toBe(url);
  });

  it("refuses a listed host on a port the list does not name", () => {
    const error = validationErrorOf(() =>
      validateMonitorRequest({ url: "http://status.example.com:6379/", expect: { status: 200 } }, ["status.example.com"]),
    );
    expect(error.code).toBe("invalid_url");
    expect(error.message).toBe("The port 6379 on the host 'status.example.com' is not in MONITOR_ALLOWED_HOSTS.");
  });

  it("refuses a missing expect", () => {
    const error = validationErrorOf(() => validateMonitorRequest({ url }, undefined));
    expect(error.code).toBe("invalid_body");
    expect(error.message).toMatch(/^expect must be a JSON object/);
  });

  it.each([{}, { status: undefined }, { other: 200 }])("refuses expect %j without status or bodyContains", (expect_) => {
    const error = validationErrorOf(() => validateMonitorRequest({ url, expect: expect_ }, undefined));
    expect(error.code).toBe("invalid_expect");
    expect(error.message).toBe("expect needs status, bodyContains or both.");
  });

  it.each([100, 200, 599])("accepts expect.status %d", (status) => {
    expect(validateMonitorRequest({ url, expect: { status } }, undefined).expect).toEqual({ status });
  });

  it.each([99, 600, 200.5, "200", null])("refuses expect.status %j", (status) => {
    const error = validationErrorOf(() => validateMonitorRequest({ url, expect: { status } }, undefined));
    expect(error.code).toBe("invalid_expect");
    expect(error.message).toBe("expect.status must be an HTTP status code (100-599).");
  });

  it.each(["", 5, "x".repeat(1001)])("refuses expect.bodyContains %j", (bodyContains) => {
    const error = validationErrorOf(() => validateMonitorRequest({ url, expect: { bodyContains } }, undefined));
    expect(error.code).toBe("invalid_expect");
    expect(error.message).toBe("expect.bodyContains must be a non-empty string of at most 1000 characters.");
  });

  it("accepts expect.bodyContains of exactly 1000 characters", () => {
    const bodyContains = "x".repeat(1000);
    expect(validateMonitorRequest({ url, expect: { bodyContains } }, undefined).expect).toEqual({ bodyContains });
  });

  it.each([5, 86_400])("accepts intervalSeconds %d", (intervalSeconds) => {
    expect(validateMonitorRequest({ url, expect: { status: 200 }, intervalSeconds }, undefined).intervalSeconds).toBe(
      intervalSeconds,
    );
  });

  it.each([4, 0, 86_401, 5.5, "30", null])("refuses intervalSeconds %j", (intervalSeconds) => {
    const error = validationErrorOf(() =>
      validateMonitorRequest({ url, expect: { status: 200 }, intervalSeconds }, undefined),
    );
    expect(error.code).toBe("invalid_intervalSeconds");
    expect(error.message).toBe("intervalSeconds must be an integer from 5 to 86400.");
  });

  it.each([1, 10_080])("accepts expiryMinutes %d", (expiryMinutes) => {
    expect(validateMonitorRequest({ url, expect: { status: 200 }, expiryMinutes }, undefined).expiryMinutes).toBe(
      expiryMinutes,
    );
  });

  it.each([0, 10_081, 1.5, "60"])("refuses expiryMinutes %j", (expiryMinutes) => {
    const error = validationErrorOf(() =>
      validateMonitorRequest({ url, expect: { status: 200 }, expiryMinutes }, undefined),
    );
    expect(error.code).toBe("invalid_expiryMinutes");
    expect(error.message).toBe("expiryMinutes must be an integer from 1 to 10080.");
  });
});

describe("isConditionMet", () => {
  it("is never met without an HTTP response", () => {
    expect(isConditionMet({ status: 200 }, { error: "ECONNREFUSED" })).toBe(false);
    expect(isConditionMet({ bodyContains: "ok" }, { bodyMatched: true })).toBe(false);
  });

  it("compares the status", () => {
    expect(isConditionMet({ status: 200 }, { status: 200 })).toBe(true);
    expect(isConditionMet({ status: 200 }, { status: 500 })).toBe(false);
  });

  it("needs bodyMatched to be true when bodyContains is expected", () => {
    expect(isConditionMet({ bodyContains: "ok" }, { status: 500, bodyMatched: true })).toBe(true);
    expect(isConditionMet({ bodyContains: "ok" }, { status: 200, bodyMatched: false })).toBe(false);
    expect(isConditionMet({ bodyContains: "ok" }, { status: 200 })).toBe(false);
  });

  it("needs both when both are expected", () => {
    const expectBoth = { status: 200, bodyContains: "ok" };
    expect(isConditionMet(expectBoth, { status: 200, bodyMatched: true })).toBe(true);
    expect(isConditionMet(expectBoth, { status: 201, bodyMatched: true })).toBe(false);
    expect(isConditionMet(expectBoth, { status: 200, bodyMatched: false })).toBe(false);
  });
});

describe("nextCheckTime", () => {
  const now = new Date("2024-05-01T00:00:00.000Z");

  it("is now plus the interval while that is before expiry", () => {
    const expiresAt = new Date("2024-05-01T00:01:00.000Z");
    expect(nextCheckTime(now, 30, expiresAt)?.toISOString()).toBe("2024-05-01T00:00:30.000Z");
    expect(nextCheckTime(now, 59, expiresAt)?.toISOString()).toBe("2024-05-01T00:00:59.000Z");
  });

  it("is undefined when the next check would fall exactly at expiry", () => {
    expect(nextCheckTime(now, 60, new Date("2024-05-01T00:01:00.000Z"))).toBeUndefined();
  });

  it("is defined one millisecond before that boundary", () => {
    expect(nextCheckTime(now, 60, new Date("2024-05-01T00:01:00.001Z"))?.toISOString()).toBe(
      "2024-05-01T00:01:00.000Z",
    );
  });

  it("is undefined after expiry", () => {
    expect(nextCheckTime(now, 30, new Date("2024-04-30T23:59:00.000Z"))).toBeUndefined();
  });
});
