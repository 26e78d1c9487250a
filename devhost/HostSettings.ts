import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** How the task hub reaches its storage account: a connection string, or identity-based `<name>__*` settings. */
export type StorageConnectionSetting =
  | { kind: "connectionString"; value: string }
  | { kind: "identity"; settings: Readonly<Record<string, string>> };

export interface DurableTaskSettings {
  hubName: string;
  storageProvider: {
    connectionName: string;
    connection: StorageConnectionSetting;
    partitionCount: number;
    controlQueueBatchSize: number;
    maxQueuePollingIntervalMs: number;
  };
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
}

export interface HostSettings {
  appRoot: string;
  /** host.json `extensions.http.routePrefix`: "api" unless set; "" for none. */
  routePrefix: string;
  durableTask: DurableTaskSettings;
  /** local.settings.json `Host.LocalHttpPort`, 7071 unless set. */
  localHttpPort: number;
  /** host.json `functionTimeout` in milliseconds (30 minutes, the host's default outside Consumption, when absent); undefined for "-1", no limit. */
  functionTimeoutMs: number | undefined;
  /** local.settings.json `Host.CORS` and `Host.CORSCredentials`, when CORS is set. */
  cors: { allowedOrigins: string[]; supportCredentials: boolean } | undefined;
  /** local.settings.json Values put into the environment. */
  appliedSettings: string[];
  /** Values left out because the environment already has them (Core Tools warns about each). */
  skippedSettings: string[];
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

const DEFAULT_CONNECTION = "AzureWebJobsStorage";
const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

/**
 * The settings the devhost needs, read as the host and Core Tools read them: local.settings.json
 * `Values` first go into `env` (never over a variable already set), then host.json is read with
 * `%NAME%` resolved from `env` and the Durable extension's defaults and checks. Every problem
 * found is reported in one error.
 */
export function loadHostSettings(appRoot: string, env: Env = process.env): HostSettings {
  const problems: string[] = [];
  const local = readJson(path.join(appRoot, "local.settings.json"), false);
  if (local !== undefined && field(local, "IsEncrypted") === true) {
    throw new Error("local.settings.json is encrypted (IsEncrypted: true); the devhost cannot decrypt it. Decrypt it with `func settings decrypt`.");
  }
  const { appliedSettings, skippedSettings } = applyValues(local, env, problems);
  const hostJson = readJson(path.join(appRoot, "host.json"), true) ?? {};
  const version = field(hostJson, "version");
  if (version !== "2.0") problems.push(`host.json must have "version": "2.0" (found ${JSON.stringify(version)}).`);
  const extensions = section(hostJson, "extensions", "host.json extensions", problems);
  const routePrefix = stringSetting(field(section(extensions, "http", "host.json extensions.http", problems), "routePrefix"), "api", "host.json extensions.http.routePrefix", problems);
  const durableTask = durableTaskSettings(section(extensions, "durableTask", "host.json extensions.durableTask", problems), env, problems);
  const hostSection = local === undefined ? {} : section(local, "Host", "local.settings.json Host", problems);
  const functionTimeoutMs = functionTimeoutSetting(field(hostJson, "functionTimeout"), problems);
  const localHttpPort = integerSetting(field(hostSection, "LocalHttpPort"), 7071, "local.settings.json Host.LocalHttpPort", 1, 65535, problems);
  const cors = corsSettings(hostSection, problems);
  if (problems.length > 0) throw new Error(`The host settings in ${appRoot} are not valid:\n- ${problems.join("\n- ")}`);
  return { appRoot, routePrefix, durableTask, localHttpPort, functionTimeoutMs, cors, appliedSettings, skippedSettings };
}

function durableTaskSettings(durable: Json, env: Env, problems: string[]): DurableTaskSettings {
  const hubName = resolveHubName(field(durable, "hubName"), env, problems);
  const provider = section(durable, "storageProvider", "host.json extensions.durableTask.storageProvider", problems);
  const where = "host.json extensions.durableTask";
  const type = stringSetting(field(provider, "type"), "AzureStorage", `${where}.storageProvider.type`, problems);
  if (type.toLowerCase() !== "azurestorage") problems.push(`host.json names the storage provider "${type}"; the devhost implements the Azure Storage provider only.`);
  const connectionName = stringSetting(
    field(provider, "connectionName") ?? field(provider, "connectionStringName"),
    DEFAULT_CONNECTION,
    `${where}.storageProvider.connectionName`,
    problems,
  );
  const defaultConcurrency = 10 * os.availableParallelism();
  return {
    hubName,
    storageProvider: {
      connectionName,
      connection: resolveConnection(connectionName, env, problems),
      partitionCount: integerSetting(field(provider, "partitionCount"), 4, `${where}.storageProvider.partitionCount`, 1, 16, problems),
      controlQueueBatchSize: integerSetting(field(provider, "controlQueueBatchSize"), 32, `${where}.storageProvider.controlQueueBatchSize`, 1, Infinity, problems),
      maxQueuePollingIntervalMs: timeSpanSetting(field(provider, "maxQueuePollingInterval"), 30_000, `${where}.storageProvider.maxQueuePollingInterval`, problems),
    },
    maxConcurrentActivityFunctions: integerSetting(field(durable, "maxConcurrentActivityFunctions"), defaultConcurrency, `${where}.maxConcurrentActivityFunctions`, 1, Infinity, problems),
    maxConcurrentOrchestratorFunctions: integerSetting(field(durable, "maxConcurrentOrchestratorFunctions"), defaultConcurrency, `${where}.maxConcurrentOrchestratorFunctions`, 1, Infinity, problems),
  };
}

/** As the extension: a whole-string `%NAME%` is the app setting NAME; no hub name means WEBSITE_SITE_NAME, else "TestHubName". */
function resolveHubName(value: unknown, env: Env, problems: string[]): string {
  if (value !== undefined && typeof value !== "string") {
    problems.push("host.json extensions.durableTask.hubName must be a string.");
    return "";
  }
  const reference = value === undefined ? undefined : /^%([^%]+)%$/.exec(value)?.[1];
  const resolved = reference === undefined ? (value ?? env.WEBSITE_SITE_NAME ?? "TestHubName") : env[reference];
  if (resolved === undefined || resolved === "") {
    problems.push(`The task hub name ${JSON.stringify(value)} refers to the app setting ${reference ?? ""}, which is not set: add it to local.settings.json Values or the environment.`);
    return "";
  }
  if (!/^[a-z][a-z\d]{2,49}$/i.test(resolved)) {
    problems.push(`Task hub name '${resolved}' should contain only alphanumeric characters, start with a letter, and have length between 3 and 45.`);
  }
  return resolved;
}

/** The WebJobs lookup: `<name>` or `AzureWebJobs<name>` holds a connection string, `<name>__*` an identity-based connection. */
function resolveConnection(name: string, env: Env, problems: string[]): StorageConnectionSetting {
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (value !== undefined && value !== "") return { kind: "connectionString", value };
  const prefix = `${name.toLowerCase()}__`;
  const settings: Record<string, string> = {};
  for (const [key, setting] of Object.entries(env)) {
    if (key.toLowerCase().startsWith(prefix) && setting !== undefined && setting !== "") settings[key.slice(prefix.length)] = setting;
  }
  if (Object.keys(settings).length > 0) return { kind: "identity", settings };
  problems.push(
    `The storage connection '${name}' is not set: set ${name} to a connection string (UseDevelopmentStorage=true for Azurite) in local.settings.json Values or the environment, or ${name}__accountName for an identity-based connection.`,
  );
  return { kind: "connectionString", value: "" };
}

function applyValues(local: Json | undefined, env: Env, problems: string[]): { appliedSettings: string[]; skippedSettings: string[] } {
  const appliedSettings: string[] = [];
  const skippedSettings: string[] = [];
  const values = local === undefined ? {} : section(local, "Values", "local.settings.json Values", problems);
  for (const [name, value] of Object.entries(values)) {
    if (value === null) continue;
    if (typeof value === "object") {
      problems.push(`local.settings.json Values.${name} must be a string, not ${Array.isArray(value) ? "an array" : "an object"}.`);
    } else if (env[name] !== undefined) skippedSettings.push(name);
    else {
      env[name] = typeof value === "string" ? value : JSON.stringify(value);
      appliedSettings.push(name);
    }
  }
  return { appliedSettings, skippedSettings };
}

function corsSettings(hostSection: Json, problems: string[]): HostSettings["cors"] {
  const origins = field(hostSection, "CORS");
  if (origins === undefined || origins === "") return undefined;
  if (typeof origins !== "string") {
    problems.push("local.settings.json Host.CORS must be a string of comma-separated origins.");
    return undefined;
  }
  const credentials = field(hostSection, "CORSCredentials");
  return {
    allowedOrigins: origins.split(",").map((origin) => origin.trim()).filter((origin) => origin !== ""),
    supportCredentials: credentials === true || String(credentials).toLowerCase() === "true",
  };
}

function stringSetting(value: unknown, fallback: string, name: string, problems: string[]): string {
  if (value === undefined) return fallback;
  if (typeof value === "string") return value;
  problems.push(`${name} must be a string (found ${JSON.stringify(value)}).`);
  return fallback;
}

/** Numbers may be written as strings too: the host's configuration binder converts them. */
function integerSetting(value: unknown, fallback: number, name: string, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < min || number > max) {
    problems.push(`${name} must be an integer${max === Infinity ? ` of at least ${min}` : ` from ${min} to ${max}`} (found ${JSON.stringify(value)}).`);
    return fallback;
  }
  return number;
}

/** The host's default functionTimeout outside the Consumption plan (Core Tools runs as such a host). */
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

function functionTimeoutSetting(value: unknown, problems: string[]): number | undefined {
  // "-1" (or any negative TimeSpan) means no limit, on the plans that allow one.
  if (typeof value === "string" && value.trim().startsWith("-")) return undefined;
  return timeSpanSetting(value, DEFAULT_FUNCTION_TIMEOUT_MS, "host.json functionTimeout", problems);
}

/** A .NET TimeSpan ("hh:mm:ss", "d.hh:mm:ss.fff", or whole days), in milliseconds; must be positive. */
function timeSpanSetting(value: unknown, fallback: number, name: string, problems: string[]): number {
  if (value === undefined) return fallback;
  const text = typeof value === "string" ? value.trim() : "";
  const match = TIME_SPAN.exec(text);
  const [, sign, days = "0", hours = "0", minutes = "0", seconds = "0", fraction = ""] = match ?? [];
  const ms = /^\d+$/.test(text)
    ? Number(text) * 86_400_000
    : match !== null && Number(hours) < 24 && Number(minutes) < 60 && Number(seconds) < 60
      ? (sign === "-" ? -1 : 1) *
        (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + Number(`0.${fraction || "0"}`) * 1000)
      : NaN;
  if (!(ms > 0)) {
    problems.push(`${name} must be a positive TimeSpan such as "00:00:30" (found ${JSON.stringify(value)}).`);
    return fallback;
  }
  return ms;
}

function readJson(file: string, required: boolean): Json | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(withoutComments(text.replace(/^\uFEFF/, "")));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file} must hold a JSON object.`);
  return parsed as Json;
}

/** The host reads host.json and local.settings.json with Json.NET, which allows // and /* *\/ comments. */
function withoutComments(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string: string | undefined) => string ?? "");
}

/** Configuration keys are case-insensitive to the host. */
function field(object: Json, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function section(object: Json, name: string, description: string, problems: string[]): Json {
  const value = field(object, name);
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${description} must be an object.`);
    return {};
  }
  return value as Json;
}
