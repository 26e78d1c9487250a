import type { HttpResponse } from "@azure/functions";
import type { AzureFunctionsModule } from "../app/functionTypes.js";

/**
 * What an HTTP function returned, as the worker converts it: nothing stays nothing, an object
 * becomes the library's HttpResponse (an HttpResponseInit is wrapped, which applies `jsonBody`,
 * default content types and status 200), anything else fails the invocation with the library's
 * message.
 */
export function toFunctionResponse(library: AzureFunctionsModule, result: unknown): HttpResponse | undefined {
  if (result === null || result === undefined) return undefined;
  if (typeof result !== "object") {
    throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  return result instanceof library.HttpResponse ? result : new library.HttpResponse(result);
}
