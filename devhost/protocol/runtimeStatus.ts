/** The runtime statuses the extension reports, and the ones after which an instance is finished. */
export type RuntimeStatus =
  | "Pending"
  | "Running"
  | "Completed"
  | "ContinuedAsNew"
  | "Failed"
  | "Canceled"
  | "Terminated"
  | "Suspended";

const FINISHED: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export const isFinished = (status: RuntimeStatus): boolean => FINISHED.has(status);
