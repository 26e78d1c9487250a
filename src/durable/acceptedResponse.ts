import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";

/**
 * 202 for work that is still going on: the instance's status URL in Location and in the body, on
 * the origin the caller used (as createCheckStatusResponse does), so it works behind a proxy and
 * on localhost alike.
 */
export function acceptedResponse(
  client: DurableClient,
  request: HttpRequest,
  instanceId: string,
  body: Record<string, unknown>,
): HttpResponseInit {
  const payloadUrl = new URL(client.createHttpManagementPayload(instanceId).statusQueryGetUri);
  const statusQueryGetUri = payloadUrl.href.replace(payloadUrl.origin, new URL(request.url).origin);
  return {
    status: 202,
    headers: { Location: statusQueryGetUri, "Retry-After": "5" },
    jsonBody: { ...body, statusQueryGetUri },
  };
}
