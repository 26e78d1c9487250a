import { validateApprovalRequest } from "./approval.js";
import { validateMonitorRequest } from "./monitor.js";
import { describeJsonType } from "./jsonShapes.js";
import { ValidationError } from "./ValidationError.js";
import { hasControlCharacter } from "./resourceIds.js";
import { OrchestratorNames, type StartableOrchestrator } from "../names.js";

/**
 * Every startable orchestrator's input is checked before anything is started, so a bad body gets
 * a 400 instead of an instance that fails on its first replay.
 */

const MAX_CITIES = 20;
const MAX_CITY_LENGTH = 100;
const MAX_PATH_LENGTH = 1024;

export interface StartInputContext {
  /** Read only when a Monitor is validated, so that a bad value of this setting affects monitors alone. */
  monitorAllowedHosts: () => string[] | undefined;
}

export function validateStartInput(name: StartableOrchestrator, input: unknown, context: StartInputContext): unknown {
  switch (name) {
    case OrchestratorNames.helloSequence:
      return validateCities(input);
    case OrchestratorNames.backupSiteContent:
      return validateDirectoryPath(input);
    case OrchestratorNames.counter:
      return validateCounterStart(input);
    case OrchestratorNames.approval:
      return validateApprovalRequest(input);
    case OrchestratorNames.monitor:
      return validateMonitorRequest(input, context.monitorAllowedHosts());
  }
}

export function validateCities(input: unknown): string[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_CITIES) {
    throw new ValidationError("invalid_input", `The input must be a list of 1 to ${MAX_CITIES} city names.`);
  }
  for (const city of input) {
    if (typeof city !== "string" || city.trim().length === 0 || city.length > MAX_CITY_LENGTH) {
      throw new ValidationError("invalid_input", `Each city must be a non-empty string of at most ${MAX_CITY_LENGTH} characters.`);
    }
  }
  return input as string[];
}

export function validateDirectoryPath(input: unknown): string {
  if (typeof input !== "string") {
    throw new ValidationError("invalid_input", `The input must be a directory path as a JSON string, not ${describeJsonType(input)}.`);
  }
  if (input.trim().length === 0 || input.length > MAX_PATH_LENGTH) {
    throw new ValidationError("invalid_input", `The directory path must be 1 to ${MAX_PATH_LENGTH} characters long.`);
  }
  if (hasControlCharacter(input)) throw new ValidationError("invalid_input", "The path contains control characters.");
  return input;
}

function validateCounterStart(input: unknown): number {
  if (input === undefined || input === null) return 0;
  if (typeof input !== "number" || !Number.isSafeInteger(input)) {
    throw new ValidationError("invalid_input", "E3_Counter takes a safe integer start value (or no body for 0).");
  }
  return input;
}
