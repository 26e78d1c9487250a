/**
 * Input that a caller can correct. The HTTP layer answers it with 400 and the error's code; an
 * orchestrator that meets it fails with the message, which then shows in the instance status.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
