import { TableClient } from "@azure/data-tables";
import { QueueServiceClient } from "@azure/storage-queue";
import { BlobServiceClient } from "@azure/storage-blob";

/**
 * Client factories for one storage account, from a connection string ("UseDevelopmentStorage=true"
 * or a full one). Creating clients sends nothing; the service clients are shared so that their
 * pipelines are built once.
 */
export function storageClients(connectionString: string) {
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  // The tables SDK refuses to send the account key over plain http unless told; Azurite speaks http.
  const allowInsecureConnection = /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http(;|$)|=\s*http:\/\//i.test(connectionString);
  return {
    table: (name: string) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection }),
    queue: (name: string) => queues.getQueueClient(name),
    container: (name: string) => blobs.getContainerClient(name),
  };
}
