import type { IncomingMessage } from "node:http";

export interface CorsSettings {
  /** local.settings.json Host.CORS: origins, or "*". */
  allowedOrigins: string[];
  /** Host.CORSCredentials */
  supportCredentials: boolean;
}

export interface CorsResponse {
  /** True for a preflight (OPTIONS with Access-Control-Request-Method): answered 204 by the host itself. */
  preflight: boolean;
  headers: Record<string, string>;
}

/**
 * What Core Tools' CORS middleware adds for a request from an allowed origin (local.settings.json
 * Host.CORS), for the host's own routes and the app's alike; undefined when the request has no
 * Origin or comes from an origin that is not allowed, which then gets no CORS headers at all.
 */
export function corsResponse(settings: CorsSettings | undefined, request: IncomingMessage): CorsResponse | undefined {
  const origin = request.headers.origin;
  if (settings === undefined || origin === undefined) return undefined;
  const anyOrigin = settings.allowedOrigins.includes("*");
  if (!anyOrigin && !settings.allowedOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) return undefined;
  const headers: Record<string, string> = {
    // "*" cannot go with credentials: the browser then needs the origin itself.
    "Access-Control-Allow-Origin": anyOrigin && !settings.supportCredentials ? "*" : origin,
    Vary: "Origin",
    ...(settings.supportCredentials ? { "Access-Control-Allow-Credentials": "true" } : {}),
  };
  const requestedMethod = request.headers["access-control-request-method"];
  const preflight = request.method === "OPTIONS" && typeof requestedMethod === "string";
  if (preflight) {
    headers["Access-Control-Allow-Methods"] = requestedMethod;
    const requestedHeaders = request.headers["access-control-request-headers"];
    if (typeof requestedHeaders === "string") headers["Access-Control-Allow-Headers"] = requestedHeaders;
  }
  return { preflight, headers };
}
