import type { IncomingMessage } from "node:http";

/** A Fetch API Request for the host's own routes (the durable API, the admin API), all headers kept. */
export function toWebRequest(request: IncomingMessage, url: string, body: Buffer): Request {
  const headers = new Headers();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    headers.append(request.rawHeaders[index] ?? "", request.rawHeaders[index + 1] ?? "");
  }
  const method = request.method ?? "GET";
  const mayHaveBody = method !== "GET" && method !== "HEAD";
  return new Request(url, { method, headers, ...(mayHaveBody && body.length > 0 ? { body } : {}) });
}
