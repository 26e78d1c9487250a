/**
 * How the app's own storage clients (the E2 blob copy, the singleton claims table) reach the
 * AzureWebJobsStorage account, read from the same settings the Functions host reads for it:
 *
 * - `AzureWebJobsStorage` set: a connection string, as locally with Azurite. It wins over the rest,
 *   as it does for the host.
 * - otherwise `AzureWebJobsStorage__accountName` (or explicit `__blobServiceUri` and
 *   `__tableServiceUri`): an identity-based connection. `__credential=managedidentity` selects the
 *   app's managed identity, `__clientId` a user-assigned one; without `__credential` the default
 *   credential chain is used (the managed identity in Azure, your `az login` locally).
 *   The host also accepts other identities (`__clientSecret` with `__tenantId`, a certificate,
 *   `__managedIdentityResourceId`, ...). These clients do not, and refuse those settings rather
 *   than ignore them: ignored, they would reach storage as a different identity than the host.
 *
 * Pure: no Azure imports, so this is testable without the SDKs and costs nothing to load.
 */

const STORAGE_CONNECTION_NAME = "AzureWebJobsStorage";

export type StorageConnection =
  | { kind: "connectionString"; value: string }
  | {
      kind: "identity";
      blobServiceUri: string;
      tableServiceUri: string;
      /** "managedIdentity" for `__credential=managedidentity`; "default" for the default credential chain. */
      credential: "managedIdentity" | "default";
      /** A user-assigned identity's client id; absent for the system-assigned identity. */
      clientId?: string;
    };

export type SettingsSource = Readonly<Record<string, string | undefined>>;

/**
 * Identity settings the host reads (through Microsoft.Extensions.Azure) that select another identity
 * than the ones these clients support, keyed by lower-cased property. Only `__credential` and
 * `__clientId` are supported.
 */
const UNSUPPORTED_IDENTITY_SETTINGS = new Map(
  [
    "tenantId",
    "clientSecret",
    "clientCertificate",
    "clientCertificatePath",
    "clientCertificateStoreName",
    "clientCertificateStoreLocation",
    "managedIdentityResourceId",
    "managedIdentityObjectId",
    "managedIdentityClientId",
    "tokenFilePath",
  ].map((property) => [property.toLowerCase(), property]),
);

/** Storage account names: 3 to 24 lower-case letters and digits. */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/** The connection named `name` (AzureWebJobsStorage unless told), or an Error that says what to set. */
export function storageConnectionFrom(env: SettingsSource, name: string = STORAGE_CONNECTION_NAME): StorageConnection {
  const connectionString = nonEmpty(env[name]);
  if (connectionString !== undefined) return { kind: "connectionString", value: connectionString };

  const section = sectionOf(env, name);
  const accountName = section.get("accountname");
  if (accountName !== undefined && !ACCOUNT_NAME.test(accountName)) {
    throw new Error(`${name}__accountName: '${accountName}' is not a storage account name (3-24 lower-case letters and digits).`);
  }
  // The host also accepts `__serviceUri` for the blob service.
  const blobUri = section.get("blobserviceuri") ?? section.get("serviceuri");
  const tableUri = section.get("tableserviceuri");
  if (accountName === undefined && blobUri === undefined && tableUri === undefined) {
    throw new Error(
      `The ${name} setting is missing: set ${name} to a connection string (UseDevelopmentStorage=true for Azurite), ` +
        `or ${name}__accountName to the storage account's name to connect with the app's managed identity.`,
    );
  }

  for (const property of section.keys()) {
    const unsupported = UNSUPPORTED_IDENTITY_SETTINGS.get(property);
    // The setting is named, never its value: a client secret must not end up in a log.
    if (unsupported !== undefined) {
      throw new Error(
        `${name}__${unsupported} is set, but this app's storage clients support only the managed identity ` +
          `(${name}__credential=managedidentity, with ${name}__clientId for a user-assigned one) or, without ` +
          `${name}__credential, the default credential chain; they would reach storage as a different identity ` +
          `than the Functions host. Remove ${name}__${unsupported}, or set ${name} to a connection string.`,
      );
    }
  }

  const blobServiceUri = serviceUri(name, "blobServiceUri", blobUri, accountName, "blob");
  const tableServiceUri = serviceUri(name, "tableServiceUri", tableUri, accountName, "table");
  const credentialSetting = section.get("credential");
  if (credentialSetting !== undefined && credentialSetting.toLowerCase() !== "managedidentity") {
    throw new Error(`${name}__credential: '${credentialSetting}' is not supported; use 'managedidentity' or leave it unset.`);
  }
  const clientId = section.get("clientid");
  return {
    kind: "identity",
    blobServiceUri,
    tableServiceUri,
    credential: credentialSetting === undefined ? "default" : "managedIdentity",
    ...(clientId === undefined ? {} : { clientId }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * The `<name>__<property>` settings, keyed by lower-cased property: the host's configuration is
 * case-insensitive, and so are app settings on Windows.
 */
function sectionOf(env: SettingsSource, name: string): Map<string, string> {
  const prefix = `${name}__`.toLowerCase();
  const section = new Map<string, string>();
  for (const [key, raw] of Object.entries(env)) {
    const value = nonEmpty(raw);
    if (value !== undefined && key.toLowerCase().startsWith(prefix)) section.set(key.slice(prefix.length).toLowerCase(), value);
  }
  return section;
}

function serviceUri(name: string, property: string, explicit: string | undefined, accountName: string | undefined, service: "blob" | "table"): string {
  if (explicit === undefined) {
    if (accountName === undefined) {
      throw new Error(`${name}__${property} is missing: set it, or set ${name}__accountName instead of the service URIs.`);
    }
    return `https://${accountName}.${service}.core.windows.net`;
  }
  let url: URL;
  try {
    url = new URL(explicit);
  } catch {
    throw new Error(`${name}__${property}: '${explicit}' is not a URL.`);
  }
  // A bearer token must never travel over plain http; the SDKs refuse it too, but later and less clearly.
  if (url.protocol !== "https:") throw new Error(`${name}__${property}: '${explicit}' must be an https URL.`);
  return explicit.replace(/\/+$/, "");
}
