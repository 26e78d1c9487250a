// A real Azurite for the tests and the benchmarks: spawned from node_modules/.bin (npx would leave
// an orphan behind on SIGTERM), in memory or on a data folder, on free (or given) loopback ports,
// and killed when the process that started it exits. Plain JavaScript so that the benchmarks, which
// run under plain Node, share it with the tests; its types are in azurite.d.mts.
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";

const AZURITE = fileURLToPath(new URL("../node_modules/.bin/azurite", import.meta.url));
const ACCOUNT = "devstoreaccount1";
// Azurite's well-known development key: public, and accepted by nothing but the emulator.
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

function freePort() {
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

async function waitForPort(port, deadline) {
  for (;;) {
    const open = await new Promise((resolve) => {
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

export async function freeAzuritePorts() {
  return { blob: await freePort(), queue: await freePort(), table: await freePort() };
}

export async function startAzurite(options = {}) {
  const ports = options.ports ?? (await freeAzuritePorts());
  const child = spawn(
    AZURITE,
    [
      "--silent",
      ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
      "--skipApiVersionCheck",
      "--disableTelemetry",
      "--blobHost", "127.0.0.1", "--blobPort", String(ports.blob),
      "--queueHost", "127.0.0.1", "--queuePort", String(ports.queue),
      "--tableHost", "127.0.0.1", "--tablePort", String(ports.table),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once("exit", () => resolve()));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const port of [ports.blob, ports.queue, ports.table]) await waitForPort(port, deadline);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${error.message} ${stderr}`, { cause: error });
  }
  const endpoint = (port) => `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=${endpoint(ports.blob)};QueueEndpoint=${endpoint(ports.queue)};TableEndpoint=${endpoint(ports.table)};`,
    ports,
    async stop() {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
      process.removeListener("exit", killOnExit);
    },
  };
}
