import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { TableClient } from "@azure/data-tables";
// Type only: erased at compile time, so a cold start with a connection string never loads @azure/identity.
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

const containers = new Map<string, Promise<ContainerClient>>();
const tables = new Map<string, Promise<TableClient>>();
const credentials = new Map<string, Promise<TokenCredential>>();

function allowsInsecureConnection(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|=http:\/\//i.test(connectionString);
}

function cacheKey(connection: StorageConnection, name: string): string {
  return `${JSON.stringify(connection)}\n${name}`;
}

/**
 * One credential per identity, shared by the blob and table clients so that they share its token
 * cache. The managed identity for `__credential=managedidentity`, as the host does; otherwise the
 * default chain, which in Azure ends at the same managed identity and locally at `az login`.
 */
function credentialFor(connection: Extract<StorageConnection, { kind: "identity" }>): Promise<TokenCredential> {
  const key = `${connection.credential}\n${connection.clientId ?? ""}`;
  let credential = credentials.get(key);
  if (credential === undefined) {
    const { clientId } = connection;
    credential = import("@azure/identity").then((identity): TokenCredential => {
      if (connection.credential === "managedIdentity") {
        return clientId === undefined ? new identity.ManagedIdentityCredential() : new identity.ManagedIdentityCredential({ clientId });
      }
      return new identity.DefaultAzureCredential(clientId === undefined ? undefined : { managedIdentityClientId: clientId });
    });
    credential.catch(() => credentials.delete(key));
    credentials.set(key, credential);
  }
  return credential;
}

/** A blob service client for the connection; builds no request, so it never touches the network. */
export async function blobServiceClientFor(connection: StorageConnection): Promise<BlobServiceClient> {
  if (connection.kind === "connectionString") return BlobServiceClient.fromConnectionString(connection.value);
  return new BlobServiceClient(connection.blobServiceUri, await credentialFor(connection));
}

/** A client for one table of the connection; builds no request, so it never touches the network. */
export async function tableClientFor(connection: StorageConnection, tableName: string): Promise<TableClient> {
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
  const key = cacheKey(connection, name);
  let container = containers.get(key);
  if (container === undefined) {
    container = blobServiceClientFor(connection).then(async (service) => {
      const client = service.getContainerClient(name);
      await client.createIfNotExists();
      return client;
    });
    container.catch(() => containers.delete(key));
    containers.set(key, container);
  }
  return container;
}

/** The table, created if it does not exist yet (once per process). */
export function storageTable(name: string): Promise<TableClient> {
  const connection = storageConnection();
  const key = cacheKey(connection, name);
  let table = tables.get(key);
  if (table === undefined) {
    table = tableClientFor(connection, name).then(async (client) => {
      await client.createTable();
      return client;
    });
    table.catch(() => tables.delete(key));
    tables.set(key, table);
  }
  return table;
}
