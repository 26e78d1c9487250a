/**
 * Why a client operation was refused. The kinds follow the extension's outcomes rather than HTTP
 * codes, because the HTTP API answers the same kind differently on different routes (an
 * ArgumentException is a 400 "One or more of the arguments submitted is incorrect" on a start and a
 * bare 400 message on an entity route).
 *
 * - badArgument: the extension's ArgumentException (unknown function, bad id, instance missing on restart).
 * - notFound / finished: the 404 and 410 the HTTP API checks before acting.
 * - invalidState: the extension's InvalidOperationException (suspending a suspended instance, …).
 * - alreadyExists: a start over an instance that has not finished (OrchestrationAlreadyExistsException).
 * - notSupported: something the Azure Storage provider can do but this host cannot (rewind).
 */
export type ClientErrorKind = "badArgument" | "notFound" | "finished" | "invalidState" | "alreadyExists" | "notSupported";

export class ClientError extends Error {
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ClientError";
  }
}
