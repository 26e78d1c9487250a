import type { OutgoingMessage } from "../protocol/messages.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";

/**
 * Sends what a committed episode or entity batch produced. Sending twice is safe (every message has
 * a stable id that its receiver de-duplicates, timers are keyed by id), which is what lets the host
 * send again whenever it cannot tell whether a send finished.
 */
export async function sendOutbox(storage: TaskHubStorage, outbox: readonly OutgoingMessage[]): Promise<void> {
  await Promise.all(
    outbox.map((outgoing) => {
      switch (outgoing.to) {
        case "control":
          return storage.sendControl(outgoing.message);
        case "workItems":
          return storage.sendWorkItem(outgoing.message);
        case "timers":
          return storage.addTimer(outgoing.timer);
      }
    }),
  );
}
