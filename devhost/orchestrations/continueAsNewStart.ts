import { deterministicGuid } from "./deterministicGuid.js";
import { EventType } from "../protocol/historyEvents.js";
import type { OutgoingMessage } from "../protocol/messages.js";
import { messageIds } from "../protocol/messageIds.js";
import type { OrchestrationLedger } from "./OrchestrationLedger.js";

/**
 * The start of the execution a ContinueAsNew creates, sent to the instance itself: same name,
 * version and parent, the carried input, and an execution id derived from the one it replaces (a
 * rerun of the episode must create the same execution).
 */
export function continueAsNewStart(
  ledger: OrchestrationLedger,
  instanceId: string,
  executionId: string,
  input: string | undefined,
): { message: OutgoingMessage; newExecutionId: string } {
  const newExecutionId = deterministicGuid(instanceId, executionId, "continueAsNew").replaceAll("-", "");
  const parent = ledger.parent;
  const message: OutgoingMessage = {
    to: "control",
    message: {
      kind: "orchestration",
      id: messageIds.continueAsNew(instanceId, executionId),
      instanceId,
      event: {
        EventType: EventType.ExecutionStarted,
        Name: ledger.name ?? "",
        ...(input === undefined ? {} : { Input: input }),
        ...(ledger.version === undefined ? {} : { Version: ledger.version }),
        ...(parent === undefined ? {} : { ParentInstanceId: parent.instanceId }),
      },
      newExecutionId,
      ...(parent === undefined ? {} : { parent }),
    },
  };
  return { message, newExecutionId };
}
