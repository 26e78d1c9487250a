import type { HttpRequest, HttpResponse, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { HttpError } from "./HttpError.js";
import { ValidationError } from "../logic/ValidationError.js";

/** Every error the app answers has this body: {"error": "<code>", "message": "<sentence>"}. */
function errorResponse(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: code, message } };
}

export type DurableHttpHandler = (
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
) => Promise<HttpResponseInit | HttpResponse>;

/**
 * Wraps an HTTP handler so that refusals become their JSON 4xx and anything unexpected becomes a
 * JSON 500 without internals; the details go to the log, where they belong.
 */
export function withJsonErrors(handler: DurableHttpHandler): DurableHttpHandler {
  return async (request, client, context) => {
    try {
      return await handler(request, client, context);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message);
      if (error instanceof ValidationError) return errorResponse(400, error.code, error.message);
      context.error(`Unhandled error in ${context.functionName}:`, error);
      return errorResponse(500, "internal_error", "The request could not be completed. The error has been logged.");
    }
  };
}
