import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server for the monitor's security cases: every request is counted by path, and a
 * path registered with `redirect` answers 302 to another URL (an allowed host bouncing the monitor
 * to a refused one); any other path answers 200. A server that was never asked proves the monitor
 * never went there.
 */
export class RedirectingEndpoint {
  private server: Server | undefined;
  private readonly redirects = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private origin = "";

  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
      const location = this.redirects.get(path);
      if (location === undefined) response.writeHead(200, { "Content-Type": "text/plain" }).end("status: healthy");
      else response.writeHead(302, { Location: location }).end();
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** host:port, as MONITOR_ALLOWED_HOSTS lists it. */
  get hostAndPort(): string {
    return new URL(this.origin).host;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  redirect(path: string, location: string): string {
    this.redirects.set(path, location);
    return this.url(path);
  }

  /** Requests that reached the path, whatever their query string. */
  requests(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  /** Every request this server received. */
  get totalRequests(): number {
    return [...this.counts.values()].reduce((total, count) => total + count, 0);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A loopback port nothing listens on (bound, then released): connections to it are refused. */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
