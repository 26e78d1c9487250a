import type { OutgoingMessage, WorkItemMessage } from "../protocol/messages.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";

/**
 * Sends what a committed episode or entity batch produced. Sending twice is safe (every message has
 * a stable id that its receiver de-duplicates, timers are keyed by id), which is what lets the host
 * send again whenever it cannot tell whether a send finished.
 */
export async function sendOutbox(storage: TaskHubStorage, outbox: readonly OutgoingMessage[]): Promise<void> {
  const workItems: WorkItemMessage[] = [];
  const sends: Promise<void>[] = [];
  for (const outgoing of outbox) {
    switch (outgoing.to) {
      case "control":
        sends.push(storage.sendControl(outgoing.message));
        break;
      case "workItems":
        workItems.push(outgoing.message);
        break;
      case "timers":
        sends.push(storage.addTimer(outgoing.timer));
        break;
    }
  }
  // A fan-out's work items go in as few queue messages as fit: one send for many activities, and
  // few messages waiting (Azurite's requests slow down with every message waiting in the account).
  if (workItems.length > 0) sends.push(storage.sendWorkItems(workItems));
  await Promise.all(sends);
}
