import { ValidationError } from "../../src/logic/ValidationError.js";

/** What `action` throws; fails the test when it throws nothing. */
export function errorThrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("Expected an error, but nothing was thrown.");
}

/** The ValidationError `action` throws, so a test can check its code and message. */
export function validationErrorOf(action: () => unknown): ValidationError {
  const error = errorThrownBy(action);
  if (error instanceof ValidationError) return error;
  throw error;
}
