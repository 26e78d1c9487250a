import { VirtualClock, type Clock } from "./Clock.js";

/**
 * The host's clock over HTTP, under /admin/devhost/clock, for tests and for trying long waits by
 * hand: GET reads it; POST .../advance moves a virtual clock forward by {"milliseconds": n} or to
 * {"to": "<ISO 8601>"}. The real clock cannot be moved (409).
 */
export class ClockApi {
  static readonly pathPrefix = "/admin/devhost/clock";

  constructor(private readonly clock: Clock) {}

  async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    if (path === ClockApi.pathPrefix) {
      if (request.method !== "GET") return methodNotAllowed("GET");
      return this.describe();
    }
    if (path === `${ClockApi.pathPrefix}/advance`) {
      if (request.method !== "POST") return methodNotAllowed("POST");
      return this.advance(request);
    }
    return Response.json({ error: "not_found", message: "No such clock endpoint." }, { status: 404 });
  }

  private describe(): Response {
    return Response.json({ mode: this.clock.mode, now: this.clock.now().toISOString() });
  }

  private async advance(request: Request): Promise<Response> {
    if (!(this.clock instanceof VirtualClock)) {
      return Response.json(
        { error: "real_clock", message: "The host runs on the real clock; start it with --clock virtual to move time." },
        { status: 409 },
      );
    }
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return badRequest('The body must be JSON: {"milliseconds": n} or {"to": "<ISO 8601 instant>"}.');
    }
    const { milliseconds, to } = (typeof body === "object" && body !== null ? body : {}) as { milliseconds?: unknown; to?: unknown };
    if (typeof milliseconds === "number" && Number.isSafeInteger(milliseconds) && milliseconds >= 0 && to === undefined) {
      this.clock.advanceBy(milliseconds);
    } else if (typeof to === "string" && milliseconds === undefined && !Number.isNaN(Date.parse(to))) {
      if (Date.parse(to) < this.clock.now().getTime()) return badRequest("The clock only moves forward.");
      this.clock.advanceTo(new Date(to));
    } else {
      return badRequest('Give either "milliseconds" (a non-negative integer) or "to" (an ISO 8601 instant).');
    }
    return this.describe();
  }
}

const badRequest = (message: string): Response => Response.json({ error: "bad_request", message }, { status: 400 });
const methodNotAllowed = (allow: string): Response =>
  Response.json({ error: "method_not_allowed", message: `Use ${allow}.` }, { status: 405, headers: { Allow: allow } });
