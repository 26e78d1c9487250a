import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { DurableHttpResponse } from "../protocol/DurableHttpResponse.js";
import type { EpisodeWork } from "./EpisodeWork.js";
import { hostTimerSettings } from "./hostTimerSettings.js";
import { schedule } from "./schedule.js";
import type { Slot } from "./Slot.js";

/**
 * callHttp's asynchronous pattern (schema V3): when a request answers 202 with a Location, the SDK's
 * CallHttpWithPollingTask takes a number for a timer (Retry-After seconds, else the default sleep)
 * and one for the next request, and goes on until an answer is not such a 202. The SDK only numbers
 * them; what is sent is the extension's poll: GET the Location, with the first request's headers but
 * not its function key.
 */
export const httpPolling = {
  /** The poll a completed request asks for, if the call polls and the answer is a 202 with a Location. */
  pollFor(first: DurableHttpRequest, result: string | undefined): { location: string; delayMs: number } | undefined {
    if (first.asynchronousPatternEnabled === false || result === undefined) return undefined;
    const response = parse(result);
    if (response?.statusCode !== 202) return undefined;
    const location = header(response, "Location");
    if (location === undefined || location === "" || (Array.isArray(location) && location.length === 0)) return undefined;
    const retryAfter = header(response, "Retry-After");
    return {
      location: Array.isArray(location) ? String(location[0]) : location,
      delayMs: retryAfter === undefined || retryAfter === "" ? hostTimerSettings.defaultHttpAsyncRequestSleepTimeMillseconds : seconds(retryAfter) * 1000,
    };
  },

  /** Takes the numbers for the wait and the next request (sent when the wait is over). */
  start(work: EpisodeWork, first: Slot, request: DurableHttpRequest, poll: { location: string; delayMs: number }): void {
    const group = first.sequence;
    schedule.timerTask(work, work.takeSequence(), new Date(work.now.getTime() + poll.delayMs), { origin: "pollTimer", group });
    schedule.http(work, work.takeSequence(), pollRequest(request, poll.location), { origin: "pollRequest", group }, false);
  },

  /** The wait that began at `timer` is over: send the request numbered right after it. */
  resume(work: EpisodeWork, timer: Slot): void {
    const request = work.ledger.slot(timer.sequence + 1);
    if (request?.origin !== "pollRequest" || request.event.Input === undefined) return;
    const sent: unknown = JSON.parse(request.event.Input);
    schedule.sendHttp(work, request.sequence, sent as DurableHttpRequest);
  },
};

function parse(result: string): Partial<DurableHttpResponse> | undefined {
  try {
    const value: unknown = JSON.parse(result);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Header names are case-insensitive, as DurableHttpResponse.getHeader treats them. */
function header(response: Partial<DurableHttpResponse>, name: string): string | string[] | undefined {
  const key = Object.keys(response.headers ?? {}).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : response.headers?.[key];
}

/** moment.duration(value, "s"), which the SDK uses: a number of seconds, anything else none. */
function seconds(value: string | string[]): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

function pollRequest(first: DurableHttpRequest, location: string): DurableHttpRequest {
  const headers = Object.fromEntries(Object.entries(first.headers ?? {}).filter(([name]) => name.toLowerCase() !== "x-functions-key"));
  return {
    method: "GET",
    uri: new URL(location, first.uri).toString(),
    headers,
    ...(first.tokenSource === undefined ? {} : { tokenSource: first.tokenSource }),
    ...(first.asynchronousPatternEnabled === undefined ? {} : { asynchronousPatternEnabled: first.asynchronousPatternEnabled }),
  };
}
