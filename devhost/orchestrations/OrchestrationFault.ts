/**
 * Why the host fails an instance itself (a non-deterministic replay, an action it cannot carry
 * out): the message becomes the instance's output and the failure's details, as the extension
 * reports such failures.
 */
export class OrchestrationFault extends Error {
  constructor(
    /** The .NET exception type the extension would report. */
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = "OrchestrationFault";
  }
}
