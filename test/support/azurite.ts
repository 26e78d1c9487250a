import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import path from "node:path";

/**
 * A real Azurite for tests: spawned from node_modules/.bin (npx would leave an orphan behind on
 * SIGTERM), in memory, on free loopback ports, and stopped when the tests end.
 */

export interface RunningAzurite {
  connectionString: string;
  /** The ports it listens on, to start it again on the same ones (same connection string). */
  ports: AzuritePorts;
  stop(): Promise<void>;
}

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /**
   * A folder for Azurite's data (--location): the data outlives the process, so an Azurite started
   * again on the same folder and ports is the same storage account. In memory when not given.
   */
  location?: string;
  /** Fixed ports (free loopback ports when not given). */
  ports?: AzuritePorts;
}

const ACCOUNT = "devstoreaccount1";
// Azurite's well-known development key: public, and accepted by nothing but the emulator.
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not open port ${port} in time.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Three free loopback ports, for an Azurite that is to be restarted on the same ones. */
export async function freeAzuritePorts(): Promise<AzuritePorts> {
  return { blob: await freePort(), queue: await freePort(), table: await freePort() };
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? (await freeAzuritePorts());
  const { blob: blobPort, queue: queuePort, table: tablePort } = ports;
  const executable = path.resolve("node_modules/.bin/azurite");
  const child: ChildProcess = spawn(
    executable,
    [
      "--silent",
      ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
      "--skipApiVersionCheck",
      "--disableTelemetry",
      "--blobHost", "127.0.0.1", "--blobPort", String(blobPort),
      "--queueHost", "127.0.0.1", "--queuePort", String(queuePort),
      "--tableHost", "127.0.0.1", "--tablePort", String(tablePort),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const deadline = Date.now() + 20_000;
    for (const port of [blobPort, queuePort, tablePort]) await waitForPort(port, deadline);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message} ${stderr}`, { cause: error });
  }
  const endpoint = (port: number) => `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=${endpoint(blobPort)};QueueEndpoint=${endpoint(queuePort)};TableEndpoint=${endpoint(tablePort)};`,
    ports,
    async stop() {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
