import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { TableClient } from "@azure/data-tables";
import { storageConnectionString } from "../settings.js";

/**
 * Clients for the AzureWebJobsStorage account, created on first use and reused, as the SDKs
 * recommend. Azurite's endpoints are plain http, which the tables SDK refuses unless told.
 */

const containers = new Map<string, Promise<ContainerClient>>();
const tables = new Map<string, Promise<TableClient>>();

function allowsInsecureConnection(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|=http:\/\//i.test(connectionString);
}

/** The container, created if it does not exist yet (once per process). */
export function blobContainer(name: string): Promise<ContainerClient> {
  const connectionString = storageConnectionString();
  const key = `${connectionString}\n${name}`;
  let container = containers.get(key);
  if (container === undefined) {
    const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(name);
    container = client.createIfNotExists().then(() => client);
    container.catch(() => containers.delete(key));
    containers.set(key, container);
  }
  return container;
}

/** The table, created if it does not exist yet (once per process). */
export function storageTable(name: string): Promise<TableClient> {
  const connectionString = storageConnectionString();
  const key = `${connectionString}\n${name}`;
  let table = tables.get(key);
  if (table === undefined) {
    const client = TableClient.fromConnectionString(connectionString, name, {
      allowInsecureConnection: allowsInsecureConnection(connectionString),
    });
    table = client.createTable().then(() => client);
    table.catch(() => tables.delete(key));
    tables.set(key, table);
  }
  return table;
}
