import type { IncomingMessage } from "node:http";

/** Kestrel's request body limit in the Functions host (ScriptConstants.DefaultMaxRequestBodySize). */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 100 * 1024 * 1024;

/**
 * The whole request body, or undefined when it is larger than `limit` (the host answers 413 then):
 * a Content-Length above the limit is refused before reading, a longer chunked body once it passes it.
 */
export async function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers["content-length"] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
