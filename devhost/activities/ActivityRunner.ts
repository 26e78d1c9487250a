import { withoutQuery, type HostLogger } from "../app/HostLogger.js";
import { activityFailure } from "./activityFailure.js";
import type { DurableHttpRequest } from "../protocol/DurableHttpRequest.js";
import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import { EventType, type NewHistoryEvent } from "../protocol/historyEvents.js";
import type { OrchestrationMessage, WorkItemMessage } from "../protocol/messages.js";
import { messageIds } from "../protocol/messageIds.js";
import { performHttpRequest } from "./performHttpRequest.js";

/**
 * Runs work items: activities through the app's registered (SDK-wrapped) functions, and callHttp
 * requests as the extension's built-in HTTP activity. Either way the answer is the TaskCompleted or
 * TaskFailed for the orchestration that scheduled the work.
 */
export class ActivityRunner {
  constructor(
    private readonly app: FunctionInvoker,
    private readonly logger: HostLogger,
  ) {}

  async run(item: WorkItemMessage): Promise<OrchestrationMessage> {
    const event = item.kind === "http" ? await this.runHttp(item) : await this.runActivity(item);
    return { kind: "orchestration", id: messageIds.workItemResult(item.id), instanceId: item.instanceId, executionId: item.executionId, event };
  }

  private async runActivity(item: WorkItemMessage): Promise<NewHistoryEvent> {
    const fn = this.app.get(item.name);
    if (fn?.trigger.type !== "activityTrigger") {
      return failed(item, `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`);
    }
    try {
      // The extension passes the input as JSON; the activity gets the value.
      const input: unknown = item.input === undefined ? undefined : JSON.parse(item.input);
      const result = await this.app.invoke(fn.name, input, {
        triggerMetadata: { instanceId: item.instanceId },
        // Inside the invocation, as the worker serialises the return value: a value JSON cannot hold fails the invocation.
        convertResult: resultJson,
      });
      return { EventType: EventType.TaskCompleted, TaskScheduledId: item.taskScheduledId, Result: String(result) };
    } catch (error) {
      return activityFailure(item.taskScheduledId, fn.name, error);
    }
  }

  private async runHttp(item: WorkItemMessage): Promise<NewHistoryEvent> {
    const request = JSON.parse(item.input ?? "{}") as DurableHttpRequest;
    if (request.tokenSource !== undefined && request.tokenSource !== null) {
      const reason = `callHttp to ${withoutQuery(request.uri)} names a tokenSource (a managed identity token), which this host cannot obtain; send an Authorization header instead.`;
      this.logger.log("warning", `${item.instanceId}: ${reason}`);
      return failed(item, reason);
    }
    try {
      const response = await performHttpRequest(request);
      return { EventType: EventType.TaskCompleted, TaskScheduledId: item.taskScheduledId, Result: JSON.stringify(response) };
    } catch (error) {
      const reason = describeFetchError(error);
      this.logger.log("warning", `${item.instanceId}: callHttp ${request.method} ${withoutQuery(request.uri)} failed: ${reason}`);
      return failed(item, reason);
    }
  }
}

/** The activity's result as JSON text; undefined (and what JSON leaves out, such as a function) becomes null. */
function resultJson(value: unknown): string {
  return value === undefined || typeof value === "function" || typeof value === "symbol" ? "null" : JSON.stringify(value);
}

/** A TaskFailed the host reports itself (the extension's TaskFailureException: Reason, no details). */
function failed(item: WorkItemMessage, reason: string): NewHistoryEvent {
  return { EventType: EventType.TaskFailed, TaskScheduledId: item.taskScheduledId, Reason: reason, Details: "" };
}

/** fetch says only "fetch failed"; the cause says why (refused, timed out, bad certificate). */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
