/** The management URLs of one instance, with the extension's JSON field names. */
export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export interface ManagementUrlParts {
  /** The webhook's base URL: origin + /runtime/webhooks/durabletask, no trailing slash. */
  baseUrl: string;
  instanceId: string;
  taskHubName: string;
  connectionName: string;
  /** The extension's system key, appended as code=…; the host does not check it. */
  systemKey: string;
}

/**
 * The extension's management URLs for an instance: every one carries taskHub, connection and the
 * system key, and the operations that take a reason have a {text} placeholder for it.
 */
export function httpManagementPayload(parts: ManagementUrlParts): HttpManagementPayload {
  const instance = `${parts.baseUrl}/instances/${encodeURIComponent(parts.instanceId)}`;
  const query = `taskHub=${encodeURIComponent(parts.taskHubName)}&connection=${encodeURIComponent(parts.connectionName)}&code=${parts.systemKey}`;
  return {
    id: parts.instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}
