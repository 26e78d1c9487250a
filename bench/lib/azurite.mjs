// An in-memory Azurite on free loopback ports for one benchmark family, as the tests start theirs
// (test/support/azurite.ts is TypeScript for Vitest; this is the same recipe for plain Node).
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import path from "node:path";
import { REPO_ROOT } from "./appHarness.mjs";

const ACCOUNT = "devstoreaccount1";
// Azurite's well-known development key: public, and accepted by nothing but the emulator.
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export async function startAzurite() {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const ports = ["--blobPort", blobPort, "--queuePort", queuePort, "--tablePort", tablePort].map(String);
  // node_modules/.bin, not npx: npx leaves an orphan behind on SIGTERM.
  const child = spawn(
    path.join(REPO_ROOT, "node_modules/.bin/azurite"),
    ["--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1", ...ports],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.once("exit", () => child.kill("SIGKILL"));
  const deadline = Date.now() + 20_000;
  for (const port of [blobPort, queuePort, tablePort]) await waitForPort(port, deadline);
  const endpoint = (port) => `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=${endpoint(blobPort)};QueueEndpoint=${endpoint(queuePort)};TableEndpoint=${endpoint(tablePort)};`,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
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
