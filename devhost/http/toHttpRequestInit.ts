import type { IncomingMessage } from "node:http";
import type { HttpRequestInit } from "@azure/functions";

/**
 * The request as the host hands it to the Node worker (RpcHttp) and the library turns it into an
 * HttpRequest: header names lower-cased and repeated headers joined with ",", query parameters
 * likewise (names compared case-insensitively, so `?a=1&a=2` reads as "1,2"), the route values as
 * params, and the body only when the request declares a Content-Length above zero (the host sends
 * none for a chunked request).
 */
export function toHttpRequestInit(request: IncomingMessage, url: string, body: Buffer, params: Record<string, string>): HttpRequestInit {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined) headers[name] = values.join(",");
  }
  const declaredLength = Number(request.headers["content-length"] ?? 0);
  return {
    method: request.method ?? "GET",
    url,
    headers,
    query: queryOf(new URL(url).searchParams),
    params,
    ...(declaredLength > 0 && body.length > 0 ? { body: { bytes: body } } : {}),
  };
}

function queryOf(search: URLSearchParams): Record<string, string> {
  const byName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of search) {
    const entry = byName.get(name.toLowerCase());
    if (entry === undefined) byName.set(name.toLowerCase(), { name, values: [value] });
    else entry.values.push(value);
  }
  return Object.fromEntries([...byName.values()].map(({ name, values }) => [name, values.join(",")]));
}
