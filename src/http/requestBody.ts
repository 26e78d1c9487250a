import type { HttpRequest } from "@azure/functions";
import { badRequest, HttpError } from "./HttpError.js";

/** Bodies above this are refused with 413 before they are parsed. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON body: undefined when there is none, 413 when it is too large, 400 when it is not
 * JSON. Reads the text only once the declared length is known to be acceptable.
 */
export async function readJsonBody(request: HttpRequest): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw bodyTooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) throw bodyTooLarge();
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("invalid_json", "The body is not valid JSON.");
  }
}

/**
 * For routes whose URL is the whole request: a body there is a mistake (a client sending
 * {"amount": 5} to an operation that takes none), so it is refused rather than silently ignored,
 * with the same 413 and invalid_json answers as any other body.
 */
export async function requireNoBody(request: HttpRequest, why: string): Promise<void> {
  if ((await readJsonBody(request)) !== undefined) throw badRequest("unexpected_body", why);
}

function bodyTooLarge(): HttpError {
  return new HttpError(413, "body_too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
}

/** ?wait=true asks for the result instead of 202; anything else but false is a mistake worth reporting. */
export function wantsToWait(request: HttpRequest): boolean {
  const wait = request.query.get("wait");
  if (wait === null || wait === "false") return false;
  if (wait === "true") return true;
  throw badRequest("invalid_query", "wait must be true or false.");
}
