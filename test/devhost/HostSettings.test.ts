import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadHostSettings } from "../../devhost/HostSettings.js";

/** host.json and local.settings.json, read as the Functions host and Core Tools read them. */

const repoRoot = path.resolve(import.meta.dirname, "../..");
let appRoot: string;

beforeEach(async () => {
  appRoot = await mkdtemp(path.join(os.tmpdir(), "devhost-settings-"));
});

afterEach(async () => {
  await rm(appRoot, { recursive: true, force: true });
});

async function write(file: string, content: unknown): Promise<void> {
  await writeFile(path.join(appRoot, file), typeof content === "string" ? content : JSON.stringify(content));
}

async function hostJson(durableTask: Record<string, unknown> = {}, http?: Record<string, unknown>): Promise<void> {
  await write("host.json", { version: "2.0", extensions: { durableTask, ...(http === undefined ? {} : { http }) } });
}

describe("the project's own settings", () => {
  it("reads host.json and local.settings.json.example as the host would", async () => {
    await copyFile(path.join(repoRoot, "host.json"), path.join(appRoot, "host.json"));
    await copyFile(path.join(repoRoot, "local.settings.json.example"), path.join(appRoot, "local.settings.json"));
    const env: Record<string, string | undefined> = {};
    const settings = loadHostSettings(appRoot, env);
    expect(settings).toEqual({
      appRoot,
      routePrefix: "api",
      durableTask: {
        hubName: "DurablePatternsLocal",
        storageProvider: {
          connectionName: "AzureWebJobsStorage",
          connection: { kind: "connectionString", value: "UseDevelopmentStorage=true" },
          partitionCount: 4,
          controlQueueBatchSize: 32,
          maxQueuePollingIntervalMs: 10_000,
        },
        maxConcurrentActivityFunctions: 10,
        maxConcurrentOrchestratorFunctions: 5,
      },
      localHttpPort: 7071,
      functionTimeoutMs: 300_000,
      cors: undefined,
      appliedSettings: ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "TASKHUB_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING", "MONITOR_ALLOWED_HOSTS"],
      skippedSettings: [],
    });
    expect(env).toMatchObject({ TASKHUB_NAME: "DurablePatternsLocal", FUNCTIONS_WORKER_RUNTIME: "node", MONITOR_ALLOWED_HOSTS: "" });
  });
});

describe("local.settings.json", () => {
  it("never overrides a variable the environment already has, and says which it skipped", async () => {
    await hostJson({ hubName: "%TASKHUB_NAME%" });
    await write("local.settings.json", { Values: { TASKHUB_NAME: "FromFile", AzureWebJobsStorage: "UseDevelopmentStorage=true" } });
    const env: Record<string, string | undefined> = { TASKHUB_NAME: "FromEnv" };
    const settings = loadHostSettings(appRoot, env);
    expect(settings.durableTask.hubName).toBe("FromEnv");
    expect(settings.skippedSettings).toEqual(["TASKHUB_NAME"]);
    expect(settings.appliedSettings).toEqual(["AzureWebJobsStorage"]);
    expect(env.TASKHUB_NAME).toBe("FromEnv");
  });

  it("is optional", async () => {
    await hostJson({ hubName: "MyHub" });
    expect(loadHostSettings(appRoot, { AzureWebJobsStorage: "UseDevelopmentStorage=true" }).durableTask.hubName).toBe("MyHub");
  });

  it("reads Host.LocalHttpPort and Host.CORS, and turns numbers and booleans in Values into strings", async () => {
    await hostJson();
    await write("local.settings.json", {
      Values: { AzureWebJobsStorage: "UseDevelopmentStorage=true", RETRIES: 5, ENABLED: true, NOTHING: null },
      Host: { LocalHttpPort: 7072, CORS: "http://a.test, http://b.test", CORSCredentials: true },
    });
    const env: Record<string, string | undefined> = {};
    const settings = loadHostSettings(appRoot, env);
    expect(settings.localHttpPort).toBe(7072);
    expect(settings.cors).toEqual({ allowedOrigins: ["http://a.test", "http://b.test"], supportCredentials: true });
    expect(env).toEqual({ AzureWebJobsStorage: "UseDevelopmentStorage=true", RETRIES: "5", ENABLED: "true" });
  });

  it("refuses an encrypted file", async () => {
    await hostJson();
    await write("local.settings.json", { IsEncrypted: true, Values: {} });
    expect(() => loadHostSettings(appRoot, {})).toThrow("local.settings.json is encrypted");
  });

  it("refuses a Value that is an object, and a bad port", async () => {
    await hostJson();
    await write("local.settings.json", { Values: { AzureWebJobsStorage: "x", NESTED: { a: 1 } }, Host: { LocalHttpPort: "port" } });
    expect(() => loadHostSettings(appRoot, {})).toThrow(/Values\.NESTED must be a string[\s\S]*Host\.LocalHttpPort must be an integer from 1 to 65535/);
  });
});

describe("host.json", () => {
  const storage = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

  it("applies the host's and the Durable extension's defaults", async () => {
    await write("host.json", { version: "2.0" });
    const settings = loadHostSettings(appRoot, { ...storage });
    const concurrency = 10 * os.availableParallelism();
    expect(settings.routePrefix).toBe("api");
    expect(settings.functionTimeoutMs).toBe(30 * 60_000);
    expect(settings.durableTask).toEqual({
      hubName: "TestHubName",
      storageProvider: {
        connectionName: "AzureWebJobsStorage",
        connection: { kind: "connectionString", value: "UseDevelopmentStorage=true" },
        partitionCount: 4,
        controlQueueBatchSize: 32,
        maxQueuePollingIntervalMs: 30_000,
      },
      maxConcurrentActivityFunctions: concurrency,
      maxConcurrentOrchestratorFunctions: concurrency,
    });
  });

  it("reads functionTimeout as a TimeSpan, and -1 as no limit", async () => {
    await write("host.json", { version: "2.0", functionTimeout: "00:10:00" });
    expect(loadHostSettings(appRoot, { ...storage }).functionTimeoutMs).toBe(600_000);
    await write("host.json", { version: "2.0", functionTimeout: "-1" });
    expect(loadHostSettings(appRoot, { ...storage }).functionTimeoutMs).toBeUndefined();
    await write("host.json", { version: "2.0", functionTimeout: "five minutes" });
    expect(() => loadHostSettings(appRoot, { ...storage })).toThrow("host.json functionTimeout must be a positive TimeSpan");
  });

  it("names the hub after WEBSITE_SITE_NAME when host.json names none", async () => {
    await write("host.json", { version: "2.0" });
    expect(loadHostSettings(appRoot, { ...storage, WEBSITE_SITE_NAME: "mysite" }).durableTask.hubName).toBe("mysite");
  });

  it("allows an empty route prefix", async () => {
    await hostJson({}, { routePrefix: "" });
    expect(loadHostSettings(appRoot, { ...storage }).routePrefix).toBe("");
  });

  it("reads keys case-insensitively and allows comments, as Json.NET does", async () => {
    await write(
      "host.json",
      `{
        // the version
        "Version": "2.0",
        /* extensions */
        "Extensions": { "HTTP": { "RoutePrefix": "v1" }, "DurableTask": { "HubName": "Commented", "StorageProvider": { "PartitionCount": "8" } } },
        "url": "http://not-a-comment"
      }`,
    );
    const settings = loadHostSettings(appRoot, { ...storage });
    expect([settings.routePrefix, settings.durableTask.hubName, settings.durableTask.storageProvider.partitionCount]).toEqual(["v1", "Commented", 8]);
  });

  it.each([
    ["00:00:10", 10_000],
    ["00:01", 60_000],
    ["01:00:00", 3_600_000],
    ["1.00:00:00", 86_400_000],
    ["00:00:00.25", 250],
    ["2", 172_800_000],
  ])("reads maxQueuePollingInterval %s as %i ms", async (interval, ms) => {
    await hostJson({ storageProvider: { maxQueuePollingInterval: interval } });
    expect(loadHostSettings(appRoot, { ...storage }).durableTask.storageProvider.maxQueuePollingIntervalMs).toBe(ms);
  });

  it("uses the connection the storage provider names, connection string or identity-based", async () => {
    await hostJson({ storageProvider: { connectionName: "MyStorage" } });
    expect(loadHostSettings(appRoot, { MyStorage: "UseDevelopmentStorage=true" }).durableTask.storageProvider.connection).toEqual({
      kind: "connectionString",
      value: "UseDevelopmentStorage=true",
    });
    expect(loadHostSettings(appRoot, { MyStorage__accountName: "acct", MyStorage__credential: "managedidentity" }).durableTask.storageProvider).toMatchObject({
      connectionName: "MyStorage",
      connection: { kind: "identity", settings: { accountName: "acct", credential: "managedidentity" } },
    });
  });

  it("says which app setting the task hub name needs when it is not set", async () => {
    await hostJson({ hubName: "%TASKHUB_NAME%" });
    expect(() => loadHostSettings(appRoot, { ...storage })).toThrow(
      'The task hub name "%TASKHUB_NAME%" refers to the app setting TASKHUB_NAME, which is not set: add it to local.settings.json Values or the environment.',
    );
  });

  it("says which connection is not set", async () => {
    await hostJson({ hubName: "MyHub" });
    expect(() => loadHostSettings(appRoot, {})).toThrow("The storage connection 'AzureWebJobsStorage' is not set");
  });

  it("reports every invalid value at once", async () => {
    await write(
      "host.json",
      JSON.stringify({
        extensions: {
          durableTask: {
            hubName: "not-valid",
            maxConcurrentActivityFunctions: 0,
            maxConcurrentOrchestratorFunctions: "many",
            storageProvider: { type: "mssql", partitionCount: 17, controlQueueBatchSize: 0, maxQueuePollingInterval: "00:00:00" },
          },
        },
      }),
    );
    const error = (() => {
      try {
        loadHostSettings(appRoot, { ...storage });
        return undefined;
      } catch (caught) {
        return (caught as Error).message;
      }
    })();
    expect(error?.split("\n- ").slice(1)).toEqual([
      'host.json must have "version": "2.0" (found undefined).',
      "Task hub name 'not-valid' should contain only alphanumeric characters, start with a letter, and have length between 3 and 45.",
      'host.json names the storage provider "mssql"; the devhost implements the Azure Storage provider only.',
      "host.json extensions.durableTask.storageProvider.partitionCount must be an integer from 1 to 16 (found 17).",
      "host.json extensions.durableTask.storageProvider.controlQueueBatchSize must be an integer of at least 1 (found 0).",
      'host.json extensions.durableTask.storageProvider.maxQueuePollingInterval must be a positive TimeSpan such as "00:00:30" (found "00:00:00").',
      "host.json extensions.durableTask.maxConcurrentActivityFunctions must be an integer of at least 1 (found 0).",
      'host.json extensions.durableTask.maxConcurrentOrchestratorFunctions must be an integer of at least 1 (found "many").',
    ]);
  });

  it("needs host.json, and says when it is not JSON", async () => {
    expect(() => loadHostSettings(appRoot, {})).toThrow(/Cannot read .*host\.json/);
    await write("host.json", "{ not json");
    expect(() => loadHostSettings(appRoot, {})).toThrow(/host\.json is not valid JSON/);
  });
});
