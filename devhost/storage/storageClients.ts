import { TableClient } from "@azure/data-tables";
import { QueueServiceClient } from "@azure/storage-queue";
import { BlobServiceClient } from "@azure/storage-blob";

/**
 * Fewer and shorter retries than the SDKs' defaults (which can wait over a minute): the engine
 * retries a failed episode itself, and a host whose Azurite has gone (a terminal's Ctrl-C stops
 * both at once) should notice within a second or two instead of hanging its shutdown.
 */
const STORAGE_RETRIES = { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 800 };

/**
 * Client factories for one storage account, from a connection string ("UseDevelopmentStorage=true"
 * or a full one). Creating clients sends nothing; the service clients are shared so that their
 * pipelines are built once.
 */
export function storageClients(connectionString: string) {
  const blobs = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: STORAGE_RETRIES });
  const queues = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: STORAGE_RETRIES });
  // The tables SDK refuses to send the account key over plain http unless told; Azurite speaks http.
  const allowInsecureConnection = /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http(;|$)|=\s*http:\/\//i.test(connectionString);
  return {
    table: (name: string) =>
      TableClient.fromConnectionString(connectionString, name, {
        allowInsecureConnection,
        retryOptions: { maxRetries: STORAGE_RETRIES.maxTries - 1, retryDelayInMs: STORAGE_RETRIES.retryDelayInMs, maxRetryDelayInMs: STORAGE_RETRIES.maxRetryDelayInMs },
      }),
    queue: (name: string) => queues.getQueueClient(name),
    container: (name: string) => blobs.getContainerClient(name),
  };
}
