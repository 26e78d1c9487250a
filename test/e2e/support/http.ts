import { expect } from "vitest";

/**
 * Plain HTTP for the end-to-end tests: real requests with fetch, the answer read once (text and,
 * when it parses, JSON), and assertions whose failure message shows the request and the whole answer.
 */

export interface HttpResult {
  /** "POST http://…", for failure messages. */
  request: string;
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when it is empty or not JSON. */
  json: unknown;
}

export interface SendOptions {
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /**
   * Sent as-is with curl -d's Content-Type (application/x-www-form-urlencoded), the way README's
   * curl commands send their bodies: the routes must read JSON whatever the content type says.
   */
  data?: string;
  headers?: Record<string, string>;
  /** Longer than any route's own wait (30 s) by default, so the route answers before fetch gives up. */
  timeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export async function send(method: string, url: string, options: SendOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] ??= "application/json";
  } else if (options.data !== undefined) {
    body = options.data;
    headers["Content-Type"] ??= "application/x-www-form-urlencoded";
  }
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { request: `${method} ${url}${body === undefined ? "" : ` ${body.slice(0, 200)}`}`, status: response.status, headers: response.headers, text, json };
}

export const get = (url: string, options?: Omit<SendOptions, "json" | "data">): Promise<HttpResult> => send("GET", url, options);
export const post = (url: string, options?: SendOptions): Promise<HttpResult> => send("POST", url, options);
export const del = (url: string): Promise<HttpResult> => send("DELETE", url);

export function describeResult(result: HttpResult): string {
  const headers = [...result.headers].map(([name, value]) => `${name}: ${value}`).join("; ");
  return `${result.request}\n→ ${result.status} [${headers}] ${result.text.slice(0, 2_000)}`;
}

export function expectStatus(result: HttpResult, status: number): void {
  expect(result.status, describeResult(result)).toBe(status);
}

/** The status, a JSON Content-Type and exactly this body. */
export function expectJson(result: HttpResult, status: number, body: unknown): void {
  expectStatus(result, status);
  expect(result.headers.get("content-type"), describeResult(result)).toMatch(/^application\/json\b/);
  expect(result.json, describeResult(result)).toEqual(body);
}

/** Asymmetric matchers typed as unknown (expect.any is typed any), for expected bodies. */
export const anyNumber = (): unknown => expect.any(Number);
export const anyString = (): unknown => expect.any(String);
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

/** README: every error answers {"error": "<code>", "message": "<sentence>"} with its 4xx. */
export function expectJsonError(result: HttpResult, status: number, code: string, message?: string | RegExp): void {
  expectStatus(result, status);
  expect(result.headers.get("content-type"), describeResult(result)).toMatch(/^application\/json\b/);
  expect(result.json, describeResult(result)).toEqual({
    error: code,
    message: message === undefined ? anyString() : typeof message === "string" ? message : matching(message),
  });
}

/** The parsed JSON body as an object, failing with the whole answer when it is anything else. */
export function jsonObject(result: HttpResult): Record<string, unknown> {
  const body = result.json;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Error(`Expected a JSON object.\n${describeResult(result)}`);
  }
  return body as Record<string, unknown>;
}
