import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local endpoint for the Monitor to poll: each path is a scenario of its own, answering 503
 * "starting" until it has been asked `healthyFrom` times and 200 "status: healthy" from then on
 * (never, when healthyFrom is undefined). It counts the requests per path, so a test knows how many
 * checks really reached it.
 */
export class HealthEndpoint {
  private server: Server | undefined;
  private readonly scenarios = new Map<string, { healthyFrom: number | undefined; requests: number }>();
  private origin = "";

  async listen(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      const scenario = this.scenarios.get(path);
      if (scenario === undefined) {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("no such scenario");
        return;
      }
      scenario.requests += 1;
      const healthy = scenario.healthyFrom !== undefined && scenario.requests >= scenario.healthyFrom;
      response.writeHead(healthy ? 200 : 503, { "Content-Type": "text/plain" }).end(healthy ? "status: healthy" : "status: starting");
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** host:port, as MONITOR_ALLOWED_HOSTS lists it. */
  get hostAndPort(): string {
    return new URL(this.origin).host;
  }

  /** A new scenario's URL. */
  scenario(name: string, healthyFrom: number | undefined): string {
    const path = `/${name}`;
    this.scenarios.set(path, { healthyFrom, requests: 0 });
    return `${this.origin}${path}?token=secret`;
  }

  requests(url: string): number {
    return this.scenarios.get(new URL(url).pathname)?.requests ?? 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
