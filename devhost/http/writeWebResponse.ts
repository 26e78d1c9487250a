import type { ServerResponse } from "node:http";
import { sendBody } from "./sendBody.js";

/** Writes a Fetch API Response: status, headers (each Set-Cookie kept), body streamed. */
export async function writeWebResponse(response: ServerResponse, webResponse: Response): Promise<void> {
  response.statusCode = webResponse.status;
  for (const [name, value] of webResponse.headers) {
    if (name !== "set-cookie") response.setHeader(name, value);
  }
  const cookies = webResponse.headers.getSetCookie();
  if (cookies.length > 0) response.setHeader("set-cookie", cookies);
  await sendBody(response, webResponse.body);
}
