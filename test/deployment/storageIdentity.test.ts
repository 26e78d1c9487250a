import { afterEach, describe, expect, it, vi } from "vitest";
import { blobServiceClientFor, tableClientFor } from "../../src/storage/storageClients.js";
import { storageConnectionFrom } from "../../src/logic/storageConnection.js";
import { storageConnection } from "../../src/settings.js";

/**
 * The identity-based path of the app's own storage clients, as deployed by infra/main.bicep
 * (AzureWebJobsStorage__accountName, no connection string). Clients are only constructed and
 * inspected: nothing here calls Azure or asks for a token.
 */

const identityLoads = vi.hoisted(() => ({ count: 0 }));

vi.mock("@azure/identity", async (importOriginal) => {
  identityLoads.count += 1;
  return importOriginal();
});

interface WithCredential {
  credential?: { constructor: { name: string } };
}

function credentialName(client: unknown): string | undefined {
  return (client as WithCredential).credential?.constructor.name;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("storage clients with a connection string", () => {
  it("point at Azurite and never load @azure/identity (nothing extra on a cold start)", async () => {
    const connection = storageConnectionFrom({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    const blob = await blobServiceClientFor(connection);
    const table = await tableClientFor(connection, "HubSingletonClaims");
    expect(blob.url).toBe("http://127.0.0.1:10000/devstoreaccount1");
    expect(table.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
    expect(table.tableName).toBe("HubSingletonClaims");
    expect(identityLoads.count).toBe(0);
  });
});

describe("storage clients with an identity-based connection", () => {
  it("build the account's https endpoints from AzureWebJobsStorage__accountName with the managed identity", async () => {
    const connection = storageConnectionFrom({ AzureWebJobsStorage__accountName: "dfpatterns42", AzureWebJobsStorage__credential: "managedidentity" });
    const blob = await blobServiceClientFor(connection);
    const table = await tableClientFor(connection, "DurablePatternsProdSingletonClaims");
    expect(identityLoads.count).toBe(1);
    expect(blob.url).toBe("https://dfpatterns42.blob.core.windows.net/");
    expect(blob.accountName).toBe("dfpatterns42");
    expect(blob.getContainerClient("backups").url).toBe("https://dfpatterns42.blob.core.windows.net/backups");
    expect(table.url).toBe("https://dfpatterns42.table.core.windows.net");
    expect(table.tableName).toBe("DurablePatternsProdSingletonClaims");
    expect(credentialName(blob)).toBe("ManagedIdentityCredential");
  });

  it("uses the default credential chain without __credential (az login locally), and explicit service URIs", async () => {
    const connection = storageConnectionFrom({
      AzureWebJobsStorage__blobServiceUri: "https://acct.blob.core.usgovcloudapi.net",
      AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.usgovcloudapi.net",
      AzureWebJobsStorage__clientId: "00000000-1111-2222-3333-444444444444",
    });
    const blob = await blobServiceClientFor(connection);
    const table = await tableClientFor(connection, "Claims");
    expect(blob.url).toBe("https://acct.blob.core.usgovcloudapi.net/");
    expect(table.url).toBe("https://acct.table.core.usgovcloudapi.net");
    expect(credentialName(blob)).toBe("DefaultAzureCredential");
  });

  it("are what blobContainer and storageTable use when only the identity settings are present", () => {
    vi.stubEnv("AzureWebJobsStorage", "");
    vi.stubEnv("AzureWebJobsStorage__accountName", "dfpatterns42");
    expect(storageConnection()).toEqual({
      kind: "identity",
      blobServiceUri: "https://dfpatterns42.blob.core.windows.net",
      tableServiceUri: "https://dfpatterns42.table.core.windows.net",
      credential: "default",
    });
  });
});
