import type { ServerResponse } from "node:http";
import type { HttpResponse } from "@azure/functions";
import { sendBody } from "./sendBody.js";
import { setCookieHeader } from "./setCookieHeader.js";

/**
 * Writes a function's response as the host does with what the worker sends: the status, the
 * headers (the worker keeps one value per name, so of several Set-Cookie headers the last one),
 * then the cookies as further Set-Cookie headers, then the body, streamed. No response at all
 * is a 200 without a body.
 */
export async function writeFunctionResponse(response: ServerResponse, functionResponse: HttpResponse | undefined): Promise<void> {
  if (functionResponse === undefined) {
    response.statusCode = 200;
    response.end();
    return;
  }
  const headers = new Map<string, string>();
  for (const [name, value] of functionResponse.headers.entries()) headers.set(name, value);
  const cookies = functionResponse.cookies.map(setCookieHeader);
  response.statusCode = functionResponse.status;
  for (const [name, value] of headers) response.setHeader(name, value);
  if (cookies.length > 0) response.setHeader("set-cookie", [...(headers.has("set-cookie") ? [headers.get("set-cookie") ?? ""] : []), ...cookies]);
  await sendBody(response, functionResponse.body);
}
