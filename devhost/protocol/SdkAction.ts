import type { DurableHttpRequest } from "./DurableHttpRequest.js";
import type { SdkRetryOptions } from "./SdkRetryOptions.js";

/**
 * One action of an orchestrator episode's result. Straight from the SDK the objects are its action
 * classes (fireAt is a Date); after a JSON round trip (a failed episode) fireAt is a string.
 */
export interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: SdkRetryOptions;
  instanceId?: string;
  version?: string;
  fireAt?: Date | string;
  isCanceled?: boolean;
  externalEventName?: string;
  operation?: string;
  httpRequest?: DurableHttpRequest;
  compoundActions?: SdkAction[];
}
