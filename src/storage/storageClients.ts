// Types only: erased at compile time. The SDKs themselves are imported on first use, since loading
// them is most of the app's cold start (about 150 ms for blobs and 70 ms for tables; see
// bench/coldStart.mjs) and most invocations (a counter signal, an E3 operation) need neither.
// A cold start with a connection string never loads @azure/identity at all.
import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import type { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { storageConnection } from "../settings.js";
import type { StorageConnection } from "../logic/storageConnection.js";

/**
 * Clients for the AzureWebJobsStorage account, created on first use and reused, as the SDKs
 * recommend. With a connection string (Azurite locally) they authenticate with the account key;
 * Azurite's endpoints are plain http, which the tables SDK refuses unless told. With an
 * identity-based connection (`AzureWebJobsStorage__accountName` in Azure) they use the app's
 * managed identity, through @azure/identity, loaded only then.
 */

/*
 * require(), not import(): the app compiles to CommonJS, and import() would load the SDKs' ES module
 * builds, whose classes are not the ones the CommonJS types (and any other require of them) name.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see the top of this file */
const blobSdk = (): typeof import("@azure/storage-blob") => require("@azure/storage-blob") as typeof import("@azure/storage-blob");
const tablesSdk = (): typeof import("@azure/data-tables") => require("@azure/data-tables") as typeof import("@azure/data-tables");
/* eslint-enable @typescript-eslint/no-require-imports */

const containers = new Map<string, Promise<ContainerClient>>();
const tables = new Map<string, Promise<TableClient>>();
const credentials = new Map<string, Promise<TokenCredential>>();

function allowsInsecureConnection(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|=http:\/\//i.test(connectionString);
}

function cacheKey(connection: StorageConnection, name: string): string {
  return `${JSON.stringify(connection)}\n${name}`;
}

/** The cached promise for `key`, created once; a failed one is forgotten so that the next call tries again. */
function once<T>(cache: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = create();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

/**
 * One credential per identity, shared by the blob and table clients so that they share its token
 * cache. The managed identity for `__credential=managedidentity`, as the host does; otherwise the
 * default chain, which in Azure ends at the same managed identity and locally at `az login`.
 */
function credentialFor(connection: Extract<StorageConnection, { kind: "identity" }>): Promise<TokenCredential> {
  const { clientId } = connection;
  return once(credentials, `${connection.credential}\n${clientId ?? ""}`, async (): Promise<TokenCredential> => {
    const identity = await import("@azure/identity");
    if (connection.credential === "managedIdentity") {
      return clientId === undefined ? new identity.ManagedIdentityCredential() : new identity.ManagedIdentityCredential({ clientId });
    }
    return new identity.DefaultAzureCredential(clientId === undefined ? undefined : { managedIdentityClientId: clientId });
  });
}

/** A blob service client for the connection; builds no request, so it never touches the network. */
export async function blobServiceClientFor(connection: StorageConnection): Promise<BlobServiceClient> {
  const { BlobServiceClient } = blobSdk();
  if (connection.kind === "connectionString") return BlobServiceClient.fromConnectionString(connection.value);
  return new BlobServiceClient(connection.blobServiceUri, await credentialFor(connection));
}

/** A client for one table of the connection; builds no request, so it never touches the network. */
export async function tableClientFor(connection: StorageConnection, tableName: string): Promise<TableClient> {
  const { TableClient } = tablesSdk();
  if (connection.kind === "connectionString") {
    return TableClient.fromConnectionString(connection.value, tableName, {
      allowInsecureConnection: allowsInsecureConnection(connection.value),
    });
  }
  return new TableClient(connection.tableServiceUri, tableName, await credentialFor(connection));
}

/** The container, created if it does not exist yet (once per process). */
export function blobContainer(name: string): Promise<ContainerClient> {
  const connection = storageConnection();
  return once(containers, cacheKey(connection, name), async () => {
    const client = (await blobServiceClientFor(connection)).getContainerClient(name);
    await client.createIfNotExists();
    return client;
  });
}

/** The table, created if it does not exist yet (once per process). */
export function storageTable(name: string): Promise<TableClient> {
  const connection = storageConnection();
  return once(tables, cacheKey(connection, name), async () => {
    const client = await tableClientFor(connection, name);
    await client.createTable();
    return client;
  });
}
