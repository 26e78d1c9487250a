import { randomBytes } from "node:crypto";

/** A W3C traceparent the host would accept (not version ff, no all-zero ids), lower-case as the spec requires. */
const TRACE_PARENT = /^(?!ff)[\da-f]{2}-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-[\da-f]{2}(-.*)?$/;

/**
 * The invocation's trace context: the caller's traceparent when it is valid (the host ignores an
 * invalid one, as ASP.NET Core does), otherwise a fresh, sampled one.
 */
export function traceContextFor(traceParent: string | undefined, traceState: string | undefined) {
  const valid = traceParent !== undefined && TRACE_PARENT.test(traceParent);
  return {
    traceParent: valid ? traceParent : `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`,
    traceState: valid ? (traceState ?? "") : "",
    attributes: {},
  };
}
