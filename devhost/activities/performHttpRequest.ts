import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { DurableHttpResponse } from "../protocol/DurableHttpResponse.js";

/** .NET's HttpClient gives up after 100 seconds unless told otherwise, and so does the extension's. */
const TIMEOUT_MS = 100_000;

/**
 * Sends a callHttp request as the extension's built-in HTTP activity does: the headers as given,
 * content as text/plain unless a Content-Type says otherwise, redirects followed; the answer whatever
 * its status. Throws when no answer comes.
 */
export async function performHttpRequest(request: DurableHttpRequest): Promise<DurableHttpResponse> {
  const headers = new Headers(request.headers);
  if (request.content !== undefined && !headers.has("content-type")) headers.set("content-type", "text/plain");
  const response = await fetch(request.uri, {
    method: request.method,
    headers,
    ...(request.content === undefined ? {} : { body: request.content }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const responseHeaders: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) responseHeaders["set-cookie"] = cookies;
  return { statusCode: response.status, headers: responseHeaders, content: await response.text() };
}
