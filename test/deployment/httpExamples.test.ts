import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadApp, triggerOf, type RegisteredFunction } from "../support/functionsHost.js";
import {
  curlRequests,
  httpFileRequests,
  matchesRouteTemplate,
  requestKey,
  routeSegments,
  type ExampleRequest,
} from "./httpRequests.js";

/**
 * The documented requests (README.md's curl commands, test.http) against the routes the app
 * actually registers: every example must reach a route with its method, and every route must have
 * an example in test.http. The hosts' own URLs (the extension's /runtime/webhooks/durabletask, the
 * local durable host's clock under /admin/devhost) are not the app's routes and are left out of the
 * route check.
 */

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string): string => readFileSync(path.join(root, file), "utf8");
const readmeRequests = curlRequests(read("README.md"));
const httpFile = httpFileRequests(read("test.http"));
const routePrefix = (JSON.parse(read("host.json")) as { extensions?: { http?: { routePrefix?: string } } }).extensions?.http?.routePrefix ?? "api";
const WEBHOOKS = /^https?:\/\/[^/]+\/runtime\/webhooks\/durabletask\//;
const HOST_URLS = /^https?:\/\/[^/]+\/(runtime\/webhooks\/durabletask|admin\/devhost)\//;

interface HttpRoute {
  functionName: string;
  route: string;
  methods: string[];
}

let routes: HttpRoute[];

beforeAll(async () => {
  const registry: ReadonlyMap<string, RegisteredFunction> = await loadApp();
  routes = [...registry.values()].flatMap((fn) => {
    const trigger = triggerOf(fn);
    if (trigger.type !== "httpTrigger") return [];
    return [{ functionName: fn.name, route: trigger.route ?? fn.name, methods: (trigger.methods ?? []).map((method) => method.toUpperCase()) }];
  });
});

function routesHitBy(request: ExampleRequest): HttpRoute[] {
  const segments = routeSegments(request.url, routePrefix);
  if (segments === undefined) return [];
  return routes.filter((route) => route.methods.includes(request.method) && matchesRouteTemplate(route.route, segments));
}

/** Every app request that hits no registered route with its method, as its origin. */
function unmatched(requests: readonly ExampleRequest[]): string[] {
  return requests.filter((request) => !HOST_URLS.test(request.url) && routesHitBy(request).length === 0).map((request) => `${request.method} ${request.origin}`);
}

describe("the route template matcher", () => {
  it.each([
    ["counter/{id?}", "counter", true],
    ["counter/{id?}", "counter/apples", true],
    ["counter/{id?}", "counter/apples/add", false],
    ["counter/{target}/{operation?}", "counter/add", true],
    ["counter/{target}/{operation?}", "counter/apples/add", true],
    ["counter/{target}/{operation?}", "counter", false],
    ["e3counter/{instanceId}", "e3counter/c1/incr", false],
    ["approvals/{instanceId}/decision", "approvals/<id>/decision", true],
    ["approvals/{instanceId}/decision", "approvals/x/Decision", true],
    ["approvals/{instanceId}/decision", "approvals/x/decisions", false],
    ["approvals", "approvals/<id>", false],
    ["approvals/{instanceId}/decision", "<id>/x/decision", false],
    ["files/{*path}", "files/a/b/c", true],
  ] as const)("%s against /%s: %s", (template, requestPath, expected) => {
    expect(matchesRouteTemplate(template, requestPath.split("/"))).toBe(expected);
  });
});

describe("README.md curl examples", () => {
  it("are found (one per documented request)", () => {
    expect(readmeRequests.length).toBeGreaterThan(20);
    expect(readmeRequests.some((request) => WEBHOOKS.test(request.url))).toBe(true);
  });

  it("each reach a registered route with their method", () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(unmatched(readmeRequests)).toEqual([]);
  });

  it("point only at the app's routes or the hosts' own URLs", () => {
    const elsewhere = readmeRequests.filter((request) => !HOST_URLS.test(request.url) && routeSegments(request.url, routePrefix) === undefined);
    expect(elsewhere.map((request) => request.origin)).toEqual([]);
  });

  it("each appear in test.http with the same method, path, query string and body", () => {
    const inHttpFile = new Set(httpFile.map(requestKey));
    expect(readmeRequests.filter((request) => !inHttpFile.has(requestKey(request))).map((request) => `${requestKey(request)}  (${request.origin})`)).toEqual(
      [],
    );
  });
});

describe("test.http", () => {
  it("has a request per block, each named", () => {
    expect(httpFile.length).toBeGreaterThan(20);
    expect(httpFile.filter((request) => !/^test\.http: \w+$/.test(request.origin)).map((request) => request.origin)).toEqual([]);
  });

  it("requests only registered routes (or the extension's webhooks), with their methods", () => {
    expect(unmatched(httpFile)).toEqual([]);
  });

  it("exercises every registered HTTP route and method at least once", () => {
    const missing = routes.flatMap((route) =>
      route.methods
        .filter(
          (method) =>
            !httpFile.some((request) => {
              const segments = routeSegments(request.url, routePrefix);
              return request.method === method && segments !== undefined && matchesRouteTemplate(route.route, segments);
            }),
        )
        .map((method) => `${method} ${route.route} (${route.functionName})`),
    );
    expect(missing).toEqual([]);
  });
});
