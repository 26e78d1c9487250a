import { EventType, type FailureDetails } from "../protocol/historyEvents.js";
import type { OutgoingMessage, ParentReference } from "../protocol/messages.js";
import { messageIds } from "../protocol/messageIds.js";

/** The message that tells a sub-orchestration's parent how it ended (the extension's SubOrchestrationInstanceCompleted/Failed). */
export function parentReport(
  parent: ParentReference,
  child: { instanceId: string; executionId: string },
  outcome: { status: "Completed"; output: string } | { status: "Failed"; reason: string; details: string; failureDetails?: FailureDetails },
): OutgoingMessage {
  const event =
    outcome.status === "Completed"
      ? { EventType: EventType.SubOrchestrationInstanceCompleted, TaskScheduledId: parent.taskScheduledId, Result: outcome.output }
      : {
          EventType: EventType.SubOrchestrationInstanceFailed,
          TaskScheduledId: parent.taskScheduledId,
          Reason: outcome.reason,
          Details: outcome.details,
          ...(outcome.failureDetails === undefined ? {} : { FailureDetails: outcome.failureDetails }),
        };
  return {
    to: "control",
    message: {
      kind: "orchestration",
      id: messageIds.subOrchestrationResult(child.instanceId, child.executionId),
      instanceId: parent.instanceId,
      executionId: parent.executionId,
      event,
    },
  };
}
