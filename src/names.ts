/**
 * Every function, entity and event name the app registers or raises, in one place, so that a
 * starter, a test and an orchestrator can never disagree on a spelling.
 */

export const OrchestratorNames = {
  helloSequence: "E1_HelloSequence",
  backupSiteContent: "E2_BackupSiteContent",
  backupBatch: "E2_BackupBatch",
  counter: "E3_Counter",
  approval: "Approval",
  monitor: "Monitor",
  counterEntityCall: "CounterEntityCall",
} as const;

export const ActivityNames = {
  sayHello: "E1_SayHello",
  getFileList: "E2_GetFileList",
  copyFileToBlob: "E2_CopyFileToBlob",
  requestApproval: "RequestApproval",
  handleApproval: "HandleApproval",
  escalate: "Escalate",
  checkEndpoint: "CheckEndpoint",
  sendAlert: "SendAlert",
} as const;

export const EntityNames = {
  counter: "Counter",
} as const;

export const EventNames = {
  counterOperation: "operation",
  approval: "ApprovalEvent",
} as const;

/**
 * The orchestrators a caller may start over HTTP. The generic and singleton starters refuse any
 * other name with 404, so internal orchestrators (E2_BackupBatch, CounterEntityCall) stay internal.
 */
export const startableOrchestrators = [
  OrchestratorNames.helloSequence,
  OrchestratorNames.backupSiteContent,
  OrchestratorNames.counter,
  OrchestratorNames.approval,
  OrchestratorNames.monitor,
] as const;

export type StartableOrchestrator = (typeof startableOrchestrators)[number];

export function isStartableOrchestrator(name: string): name is StartableOrchestrator {
  return (startableOrchestrators as readonly string[]).includes(name);
}

/** Application Insights custom events: one per counter operation, approval decision and monitor check. */
export const TelemetryEventNames = {
  counterOperation: "CounterOperation",
  e3CounterOperation: "E3CounterOperation",
  approvalDecided: "ApprovalDecided",
  monitorCheck: "MonitorCheck",
} as const;

export type TelemetryEventName = (typeof TelemetryEventNames)[keyof typeof TelemetryEventNames];

export const MetricNames = {
  approvalTimeToDecideMs: "ApprovalTimeToDecideMs",
  e3ConfirmationMs: "E3OperationConfirmationMs",
} as const;

export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];
