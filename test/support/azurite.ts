import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import path from "node:path";

/**
 * A real Azurite for tests: spawned from node_modules/.bin (npx would leave an orphan behind on
 * SIGTERM), in memory, on free loopback ports, and stopped when the tests end.
 */

export interface RunningAzurite {
  connectionString: string;
  stop(): Promise<void>;
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

export async function startAzurite(): Promise<RunningAzurite> {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const executable = path.resolve("node_modules/.bin/azurite");
  const child: ChildProcess = spawn(
    executable,
    [
      "--silent",
      "--inMemoryPersistence",
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
    async stop() {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
