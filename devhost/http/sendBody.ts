import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";

/** Streams the body as it comes (with backpressure), so streamed responses are never buffered whole. */
export async function sendBody(response: ServerResponse, body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null) {
    response.end();
    return;
  }
  await pipeline(Readable.fromWeb(body), response);
}
