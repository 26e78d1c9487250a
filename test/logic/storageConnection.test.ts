import { describe, expect, it } from "vitest";
import { storageConnectionFrom } from "../../src/logic/storageConnection.js";
import { errorThrownBy } from "../support/thrownErrors.js";

function errorOf(action: () => unknown): string {
  const error = errorThrownBy(action);
  return error instanceof Error ? error.message : String(error);
}

describe("storageConnectionFrom: connection strings", () => {
  it("uses AzureWebJobsStorage as a connection string, trimmed", () => {
    expect(storageConnectionFrom({ AzureWebJobsStorage: " UseDevelopmentStorage=true " })).toEqual({
      kind: "connectionString",
      value: "UseDevelopmentStorage=true",
    });
  });

  it("prefers the connection string over identity settings, as the host does", () => {
    expect(
      storageConnectionFrom({ AzureWebJobsStorage: "UseDevelopmentStorage=true", AzureWebJobsStorage__accountName: "prodstore" }),
    ).toEqual({ kind: "connectionString", value: "UseDevelopmentStorage=true" });
  });

  it("reads another connection name when told", () => {
    expect(storageConnectionFrom({ Other: "UseDevelopmentStorage=true" }, "Other")).toMatchObject({ kind: "connectionString" });
  });
});

describe("storageConnectionFrom: identity-based connections", () => {
  it("derives both service URIs from the account name and uses the default credential chain", () => {
    expect(storageConnectionFrom({ AzureWebJobsStorage__accountName: "dfpatterns123" })).toEqual({
      kind: "identity",
      blobServiceUri: "https://dfpatterns123.blob.core.windows.net",
      tableServiceUri: "https://dfpatterns123.table.core.windows.net",
      credential: "default",
    });
  });

  it("treats an empty AzureWebJobsStorage as absent (an app setting left blank)", () => {
    expect(storageConnectionFrom({ AzureWebJobsStorage: " ", AzureWebJobsStorage__accountName: "acct" })).toMatchObject({ kind: "identity" });
  });

  it("selects the managed identity for __credential=managedidentity, any case, with a user-assigned client id", () => {
    expect(
      storageConnectionFrom({
        AzureWebJobsStorage__accountName: "acct",
        AzureWebJobsStorage__credential: "ManagedIdentity",
        AzureWebJobsStorage__clientId: "00000000-1111-2222-3333-444444444444",
      }),
    ).toEqual({
      kind: "identity",
      blobServiceUri: "https://acct.blob.core.windows.net",
      tableServiceUri: "https://acct.table.core.windows.net",
      credential: "managedIdentity",
      clientId: "00000000-1111-2222-3333-444444444444",
    });
  });

  it("takes explicit service URIs over the account name (sovereign clouds, private endpoints), without a trailing slash", () => {
    expect(
      storageConnectionFrom({
        AzureWebJobsStorage__accountName: "acct",
        AzureWebJobsStorage__blobServiceUri: "https://acct.blob.core.chinacloudapi.cn/",
        AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.chinacloudapi.cn",
      }),
    ).toMatchObject({
      blobServiceUri: "https://acct.blob.core.chinacloudapi.cn",
      tableServiceUri: "https://acct.table.core.chinacloudapi.cn",
    });
  });

  it("accepts service URIs alone, and __serviceUri as the blob one", () => {
    expect(
      storageConnectionFrom({
        AzureWebJobsStorage__serviceUri: "https://acct.blob.core.windows.net",
        AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.windows.net",
      }),
    ).toMatchObject({ kind: "identity", blobServiceUri: "https://acct.blob.core.windows.net" });
  });

  it("reads the section case-insensitively, as the host's configuration does", () => {
    expect(storageConnectionFrom({ AZUREWEBJOBSSTORAGE__ACCOUNTNAME: "acct" })).toMatchObject({
      blobServiceUri: "https://acct.blob.core.windows.net",
    });
  });

  it("ignores blank identity settings", () => {
    expect(storageConnectionFrom({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientId: " " })).not.toHaveProperty("clientId");
  });
});

describe("storageConnectionFrom: refusals that say what to set", () => {
  it("names both ways to connect when nothing is set", () => {
    const message = errorOf(() => storageConnectionFrom({}));
    expect(message).toContain("The AzureWebJobsStorage setting is missing");
    expect(message).toContain("UseDevelopmentStorage=true");
    expect(message).toContain("AzureWebJobsStorage__accountName");
  });

  it("does not read other connections' settings", () => {
    expect(errorOf(() => storageConnectionFrom({ Other__accountName: "acct" }))).toContain("is missing");
  });

  it.each(["Upper", "ab", "a".repeat(25), "my-account", "acct.blob.core.windows.net"])("refuses the account name %j", (accountName) => {
    expect(errorOf(() => storageConnectionFrom({ AzureWebJobsStorage__accountName: accountName }))).toContain(
      "is not a storage account name",
    );
  });

  it("asks for the table URI when only the blob URI is given (the claims table needs it)", () => {
    expect(errorOf(() => storageConnectionFrom({ AzureWebJobsStorage__blobServiceUri: "https://acct.blob.core.windows.net" }))).toBe(
      "AzureWebJobsStorage__tableServiceUri is missing: set it, or set AzureWebJobsStorage__accountName instead of the service URIs.",
    );
  });

  it("asks for the blob URI when only the table URI is given", () => {
    expect(errorOf(() => storageConnectionFrom({ AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.windows.net" }))).toContain(
      "AzureWebJobsStorage__blobServiceUri is missing",
    );
  });

  it.each([
    ["not a url", "is not a URL"],
    ["http://acct.blob.core.windows.net", "must be an https URL"],
  ])("refuses the blob URI %j", (uri, reason) => {
    expect(errorOf(() => storageConnectionFrom({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__blobServiceUri: uri }))).toContain(
      reason,
    );
  });

  it("refuses credentials other than the managed identity", () => {
    expect(
      errorOf(() => storageConnectionFrom({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__credential: "clientsecret" })),
    ).toBe("AzureWebJobsStorage__credential: 'clientsecret' is not supported; use 'managedidentity' or leave it unset.");
  });

  it.each([
    "clientSecret",
    "tenantId",
    "clientCertificatePath",
    "managedIdentityResourceId",
    "clientCertificate",
    "managedIdentityObjectId",
    "managedIdentityClientId",
    "tokenFilePath",
  ])("refuses __%s, which the host would use for another identity than these clients, naming the setting and not its value", (property) => {
    const message = errorOf(() =>
      storageConnectionFrom({
        AzureWebJobsStorage__accountName: "acct",
        AzureWebJobsStorage__credential: "managedidentity",
        [`AzureWebJobsStorage__${property}`]: "s3cr3t-value",
      }),
    );
    expect(message).toBe(
      `AzureWebJobsStorage__${property} is set, but this app's storage clients support only the managed identity ` +
        "(AzureWebJobsStorage__credential=managedidentity, with AzureWebJobsStorage__clientId for a user-assigned one) or, " +
        "without AzureWebJobsStorage__credential, the default credential chain; they would reach storage as a different " +
        `identity than the Functions host. Remove AzureWebJobsStorage__${property}, or set AzureWebJobsStorage to a connection string.`,
    );
    expect(message).not.toContain("s3cr3t-value");
  });

  it("refuses the client secret settings in any case, and with the default credential chain too", () => {
    expect(
      errorOf(() =>
        storageConnectionFrom({
          AzureWebJobsStorage__accountName: "acct",
          AZUREWEBJOBSSTORAGE__TENANTID: "00000000-0000-0000-0000-000000000000",
          azurewebjobsstorage__clientsecret: "x",
          AzureWebJobsStorage__clientId: "11111111-1111-1111-1111-111111111111",
        }),
      ),
    ).toMatch(/^AzureWebJobsStorage__(tenantId|clientSecret) is set, but this app's storage clients support only/);
  });

  it("ignores a blank unsupported setting, like every blank identity setting", () => {
    expect(storageConnectionFrom({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientSecret: " " })).toMatchObject({
      kind: "identity",
    });
  });

  it("leaves the identity settings alone when a connection string is set: the host and these clients both use the connection string", () => {
    expect(
      storageConnectionFrom({ AzureWebJobsStorage: "UseDevelopmentStorage=true", AzureWebJobsStorage__clientSecret: "x", AzureWebJobsStorage__tenantId: "t" }),
    ).toEqual({ kind: "connectionString", value: "UseDevelopmentStorage=true" });
  });
});
