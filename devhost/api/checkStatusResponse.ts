import { httpManagementPayload } from "../client/httpManagementPayload.js";
import { WEBHOOK_PATH } from "../client/webhookPath.js";
import { jsonResponse } from "./jsonResponse.js";

export interface CheckStatusOptions {
  /** The origin the request came to: the URLs point back there. */
  origin: string;
  instanceId: string;
  taskHubName: string;
  connectionName: string;
  /** Carried as code=… in the URLs. */
  systemKey: string;
}

/**
 * The extension's answer to a start (CreateCheckStatusResponseMessage): 202, the instance's
 * management URLs (all but rewind), Location at the status URL and Retry-After 10.
 */
export function checkStatusResponse(options: CheckStatusOptions): Response {
  const urls = httpManagementPayload({ ...options, baseUrl: `${options.origin}${WEBHOOK_PATH}` });
  const payload = {
    id: urls.id,
    statusQueryGetUri: urls.statusQueryGetUri,
    sendEventPostUri: urls.sendEventPostUri,
    terminatePostUri: urls.terminatePostUri,
    purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
    restartPostUri: urls.restartPostUri,
    suspendPostUri: urls.suspendPostUri,
    resumePostUri: urls.resumePostUri,
  };
  return jsonResponse(202, payload, { Location: urls.statusQueryGetUri, "Retry-After": "10" });
}
