import type { HttpRequest, HttpResponseInit } from "@azure/functions";

/** host.json's extensions.http.routePrefix: the app's own routes live under it. */
export const ROUTE_PREFIX = "api";

/**
 * 202 for work that is still going on, pointing at one of this app's own routes (function-level
 * auth) on the origin the caller used. The extension's statusQueryGetUri would also work, but it
 * carries the task hub's system key, which lets its holder raise, terminate and purge anything.
 */
export function acceptedResponse(request: HttpRequest, appRoute: string, body: Record<string, unknown>): HttpResponseInit {
  const location = `${new URL(request.url).origin}/${ROUTE_PREFIX}/${appRoute}`;
  return {
    status: 202,
    headers: { Location: location, "Retry-After": "10" },
    jsonBody: { ...body, location },
  };
}
