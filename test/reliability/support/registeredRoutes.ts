import { loadApp, triggerOf } from "../../support/functionsHost.js";

/**
 * The app's HTTP routes as the app itself registers them (loaded the way test/registration.test.ts
 * loads it), so that a test built on this list fails when a route is added without its cases.
 */

export interface RegisteredHttpRoute {
  functionName: string;
  /** The route template, e.g. "counter/{target}/{operation?}". */
  route: string;
  /** Upper case, as the host compares them. */
  methods: readonly string[];
  authLevel: string | undefined;
}

/** The methods a client may try on any route; HEAD and OPTIONS are left out (CORS preflight, GET's twin). */
export const TRIED_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;

/** Methods that change something: the ones function-level auth must guard. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "DELETE", "PATCH"]);

export async function registeredHttpRoutes(): Promise<RegisteredHttpRoute[]> {
  const registry = await loadApp();
  return [...registry.values()].flatMap((fn): RegisteredHttpRoute[] => {
    const trigger = triggerOf(fn);
    if (trigger.type !== "httpTrigger") return [];
    return [
      {
        functionName: fn.name,
        route: trigger.route ?? fn.name,
        methods: (trigger.methods ?? []).map((method) => method.toUpperCase()),
        authLevel: trigger.authLevel,
      },
    ];
  });
}
