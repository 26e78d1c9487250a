import { httpManagementPayload, type HttpManagementPayload } from "./httpManagementPayload.js";
import { WEBHOOK_PATH } from "./webhookPath.js";

export interface ClientBindingOptions {
  /** The host's origin as clients reach it, e.g. http://localhost:7071. */
  origin: string;
  taskHubName: string;
  /** The storage connection's setting name, as the extension puts it in management URLs. */
  connectionName: string;
  /** The extension's system key, carried as code=… as the extension's URLs carry it; the host does not check it. */
  systemKey: string;
}

/** The durableClient binding data, as the extension (out-of-proc, HTTP protocol) serialises it for the worker. */
export interface ClientBindingData {
  taskHubName: string;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: HttpManagementPayload;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
}

/** The id placeholder in managementUrls; durable-functions substitutes the instance id for it. */
const INSTANCE_ID_PLACEHOLDER = "INSTANCEID";

/**
 * What `df.getClient(context)` needs to talk to this host. rpcBaseUrl points at the webhook itself
 * (the extension uses a separate loopback listener; one server is simpler and serves the same
 * routes), and must end in "/" because the SDK resolves relative paths against it.
 */
export function clientBindingData(options: ClientBindingOptions): ClientBindingData {
  const baseUrl = `${options.origin}${WEBHOOK_PATH}`;
  const requiredQueryStringParameters = `code=${options.systemKey}`;
  const creation = `${baseUrl}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: options.taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${creation}?${requiredQueryStringParameters}`,
      createAndWaitOnNewInstancePostUri: `${creation}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${requiredQueryStringParameters}`,
    },
    managementUrls: httpManagementPayload({ ...options, baseUrl, instanceId: INSTANCE_ID_PLACEHOLDER }),
    baseUrl,
    requiredQueryStringParameters,
    rpcBaseUrl: `${baseUrl}/`,
    httpBaseUrl: baseUrl,
  };
}
