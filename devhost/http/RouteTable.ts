import type { RegisteredFunction } from "../app/functionTypes.js";
import { parseRequestPath } from "./RequestPath.js";
import { RouteTemplate } from "./RouteTemplate.js";

export interface HttpRoute {
  readonly fn: RegisteredFunction;
  /** The route as mapped, prefix included, e.g. "api/counter/{id?}". */
  readonly template: RouteTemplate;
  /** Upper-case; undefined when the trigger names no methods, which allows every method. */
  readonly methods: readonly string[] | undefined;
}

export type RouteResolution =
  | { kind: "matched"; route: HttpRoute; params: Record<string, string> }
  | { kind: "methodNotAllowed"; allow: readonly string[] }
  | { kind: "notFound" };

/** A function the host maps no route for, and the message it logs. */
export interface RouteError {
  readonly functionName: string;
  readonly message: string;
}

const byName = (a: RegisteredFunction, b: RegisteredFunction): number => {
  const [x, y] = [a.name.toUpperCase(), b.name.toUpperCase()];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The HTTP routes of the app's httpTrigger functions. Like the host, it takes the functions in name
 * order, maps each to `routePrefix/route` (the function name when the trigger has no route),
 * refuses routes under "admin" or "runtime" and a route another function already answers for one
 * of its methods. It tries the most specific route first (ranks of RouteTemplate, segment by
 * segment), so registration order and names never decide between routes that overlap; equal ranks
 * fall back to name order. The host's own comparison differs in edge cases: it prefers the longer of
 * two templates with a common prefix, so `items` against `items/{id?}` goes to the second there.
 */
export class RouteTable {
  readonly routes: readonly HttpRoute[];
  readonly errors: readonly RouteError[];

  /** Throws for a route template the host could not parse (the host does not start then either). */
  constructor(functions: readonly RegisteredFunction[], routePrefix: string) {
    const routes: HttpRoute[] = [];
    const errors: RouteError[] = [];
    const prefix = routePrefix.replace(/^\/+|\/+$/g, "");
    for (const fn of functions.filter((candidate) => candidate.trigger.type.toLowerCase() === "httptrigger").sort(byName)) {
      const route = routeOf(fn);
      // No methods, or an empty list, allows every method.
      const methods = fn.trigger.methods?.length ? fn.trigger.methods.map((method) => method.toUpperCase()) : undefined;
      const problem = routeProblem(route, methods, routes);
      if (problem !== undefined) {
        errors.push({ functionName: fn.name, message: problem });
        continue;
      }
      routes.push({ fn, template: parseTemplate(fn.name, prefix === "" ? route : `${prefix}/${route}`), methods });
    }
    this.routes = routes.sort((a, b) => compareRanks(a.template.ranks, b.template.ranks) || byName(a.fn, b.fn));
    this.errors = errors;
  }

  /** `rawPath` is the request target's path, still percent-encoded. */
  resolve(method: string, rawPath: string): RouteResolution {
    const path = parseRequestPath(rawPath);
    if (path === undefined) return { kind: "notFound" };
    const allow = new Set<string>();
    const upperMethod = method.toUpperCase();
    for (const route of this.routes) {
      const params = route.template.match(path);
      if (params === undefined) continue;
      if (route.methods === undefined || route.methods.includes(upperMethod)) return { kind: "matched", route, params };
      for (const allowed of route.methods) allow.add(allowed);
    }
    return allow.size > 0 ? { kind: "methodNotAllowed", allow: [...allow] } : { kind: "notFound" };
  }
}

function routeProblem(route: string, methods: readonly string[] | undefined, accepted: readonly HttpRoute[]): string | undefined {
  const trimmed = comparable(route);
  if (trimmed.startsWith("admin") || trimmed.startsWith("runtime")) return "The specified route conflicts with one or more built in routes.";
  const conflict = accepted.find(
    (other) => comparable(routeOf(other.fn)) === trimmed && (methods === undefined || other.methods === undefined || methods.some((method) => other.methods?.includes(method))),
  );
  return conflict === undefined ? undefined : `The route specified conflicts with the route defined by function '${conflict.fn.name}'.`;
}

/** The trigger's route, or the function name when it has none. */
function routeOf(fn: RegisteredFunction): string {
  const route = fn.trigger.route;
  return typeof route === "string" && route.trim() !== "" ? route : fn.name;
}

const comparable = (route: string): string => route.replace(/^\/+|\/+$/g, "").toLowerCase();

function parseTemplate(functionName: string, template: string): RouteTemplate {
  try {
    return RouteTemplate.parse(template);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`An error occurred while creating the route with name '${functionName}' and template '${template}'. ${reason}`, { cause: error });
  }
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
