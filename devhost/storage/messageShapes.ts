import type { ControlMessage, WorkItemMessage } from "../protocol/messages.js";

/**
 * Checks of what a queue message parsed into, so that a stray or corrupt message is dropped at the
 * queue instead of failing the engine. They check the fields the engine relies on, not every field.
 */

type Fields = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === "string";

function isOrchestrationMessage(value: Fields): boolean {
  const { event, parent } = value;
  return (
    isObject(event) &&
    typeof event.EventType === "number" &&
    isOptionalString(value.executionId) &&
    isOptionalString(value.newExecutionId) &&
    (parent === undefined || (isObject(parent) && isString(parent.instanceId) && isString(parent.executionId) && typeof parent.taskScheduledId === "number"))
  );
}

function isEntityOperationMessage(value: Fields): boolean {
  return isString(value.operation) && typeof value.isSignal === "boolean" && isOptionalString(value.input) && isOptionalString(value.requestId);
}

export const messageShapes = {
  isControlMessage: (value: unknown): value is ControlMessage => {
    if (!isObject(value) || !isString(value.id) || !isString(value.instanceId)) return false;
    if (value.kind === "orchestration") return isOrchestrationMessage(value);
    if (value.kind === "entity") return isEntityOperationMessage(value);
    return false;
  },

  isWorkItemMessage: (value: unknown): value is WorkItemMessage =>
    isObject(value) &&
    (value.kind === "activity" || value.kind === "http") &&
    isString(value.id) &&
    isString(value.instanceId) &&
    isString(value.executionId) &&
    typeof value.taskScheduledId === "number" &&
    isString(value.name) &&
    isOptionalString(value.input),
};
