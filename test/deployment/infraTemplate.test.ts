import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appSettingsOf, deploymentCommandsIn, parametersOf, paramsOf, resourcesOf, usesOf, withoutComments, type BicepResource } from "./bicepText.js";

/**
 * infra/main.bicep, checked as text: no Bicep CLI is available offline, so these tests hold the
 * template to its contract (resources, security settings, app settings, roles, parameters) and to
 * the README's deploy command. `az bicep build --file infra/main.bicep` is the full check.
 */

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string): string => readFileSync(path.join(root, file), "utf8");
const template = read("infra/main.bicep");
const resources = resourcesOf(template);
const params = paramsOf(template);

/**
 * Evaluates a Bicep expression of string literals, identifiers, function calls, `!` and one-parameter
 * lambdas (`x => ...`): enough for the template's derived names, with the functions they use,
 * implemented as the Bicep documentation describes them. Anything else throws, so a template
 * change that this cannot follow fails the test instead of passing it unchecked.
 */
type BicepValue = string | number | boolean | BicepValue[] | ((argument: BicepValue) => BicepValue);

function evaluateBicep(expression: string, scope: Readonly<Record<string, BicepValue>>): BicepValue {
  const tokens = expression.match(/'(?:[^'\\]|\\.)*'|\d+|=>|[A-Za-z_]\w*|[(),!]|\S/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`Unexpected end of '${expression}'.`);
    return token;
  };
  const expect_ = (token: string): void => {
    const found = next();
    if (found !== token) throw new Error(`Expected '${token}' but found '${found}' in '${expression}'.`);
  };
  const str = (value: BicepValue | undefined): string => {
    if (typeof value !== "string") throw new Error(`Expected a string, got ${JSON.stringify(value)}.`);
    return value;
  };
  const arr = (value: BicepValue | undefined): BicepValue[] => {
    if (!Array.isArray(value)) throw new Error(`Expected an array, got ${JSON.stringify(value)}.`);
    return value;
  };
  const functions: Record<string, (...args: BicepValue[]) => BicepValue> = {
    toLower: (value) => str(value).toLowerCase(),
    take: (value, count) => {
      if (typeof count !== "number") throw new Error("take: count must be an int.");
      return typeof value === "string" ? value.slice(0, count) : arr(value).slice(0, count);
    },
    replace: (value, oldString, newString) => str(value).split(str(oldString)).join(str(newString)),
    split: (value, delimiter) => str(value).split(str(delimiter)),
    join: (values, delimiter) => arr(values).map(str).join(str(delimiter)),
    empty: (value) => (typeof value === "string" || Array.isArray(value) ? value.length === 0 : false),
    filter: (values, predicate) => {
      if (typeof predicate !== "function") throw new Error("filter: the predicate must be a lambda.");
      return arr(values).filter((item) => predicate(item) === true);
    },
  };
  function parseExpression(locals: Readonly<Record<string, BicepValue>>): BicepValue {
    const token = peek();
    if (token !== undefined && /^[A-Za-z_]\w*$/.test(token) && tokens[at + 1] === "=>") {
      at += 2;
      const start = at;
      // Skip the body once to find where it ends; it is parsed again for every call.
      parseExpression({ ...locals, [token]: "" });
      const end = at;
      return (argument: BicepValue) => {
        const saved = at;
        at = start;
        const result = parseExpression({ ...locals, [token]: argument });
        if (at !== end) throw new Error("The lambda body was parsed differently.");
        at = saved;
        return result;
      };
    }
    if (token === "!") {
      next();
      return parseExpression(locals) !== true;
    }
    return parsePrimary(locals);
  }
  function parsePrimary(locals: Readonly<Record<string, BicepValue>>): BicepValue {
    const token = next();
    if (token.startsWith("'")) return token.slice(1, -1).replace(/\\(.)/g, "$1");
    if (/^\d+$/.test(token)) return Number(token);
    if (!/^[A-Za-z_]\w*$/.test(token)) throw new Error(`Unexpected '${token}' in '${expression}'.`);
    if (peek() !== "(") {
      const value = locals[token] ?? scope[token];
      if (value === undefined) throw new Error(`Unknown identifier '${token}'.`);
      return value;
    }
    const fn = functions[token];
    if (fn === undefined) throw new Error(`The test cannot evaluate the Bicep function '${token}'.`);
    expect_("(");
    const args: BicepValue[] = [];
    while (peek() !== ")") {
      args.push(parseExpression(locals));
      if (peek() === ",") next();
    }
    expect_(")");
    return fn(...args);
  }
  const value = parseExpression({});
  if (at !== tokens.length) throw new Error(`Unexpected '${tokens[at] ?? ""}' in '${expression}'.`);
  return value;
}

function only(type: string): BicepResource {
  const matching = resources.filter((resource) => resource.type === type);
  expect(matching, type).toHaveLength(1);
  return matching[0] as BicepResource;
}

const roleGuids = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
} as const;

describe("infra/main.bicep resources", () => {
  it("declares exactly the expected resource types, at stable (non-preview) API versions", () => {
    expect(resources.map((resource) => `${resource.type}@${resource.apiVersion}`).sort()).toEqual(
      [
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Insights/components@2020-02-02",
        "Microsoft.OperationalInsights/workspaces@2022-10-01",
        "Microsoft.Storage/storageAccounts@2023-05-01",
        "Microsoft.Web/serverfarms@2023-12-01",
        "Microsoft.Web/sites@2023-12-01",
      ].sort(),
    );
    for (const resource of resources) expect(resource.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("makes a locked-down StorageV2 Standard_LRS account, with shared keys allowed and the reason written down", () => {
    const { body, source } = only("Microsoft.Storage/storageAccounts");
    expect(body).toMatch(/kind:\s*'StorageV2'/);
    expect(body).toMatch(/sku:\s*\{\s*name:\s*'Standard_LRS'/);
    expect(body).toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(body).toMatch(/allowBlobPublicAccess:\s*false/);
    expect(body).toMatch(/supportsHttpsTrafficOnly:\s*true/);
    expect(body).toMatch(/allowSharedKeyAccess:\s*true/);
    // The comment lines right above the setting say why: the content share's connection string.
    const why = /((?:[ \t]*\/\/[^\n]*\n)+)[ \t]*allowSharedKeyAccess: true/.exec(source)?.[1] ?? "";
    expect(why).toMatch(/content share/);
    expect(why).toMatch(/WEBSITE_CONTENTAZUREFILECONNECTIONSTRING/);
  });

  it("makes a Windows Consumption plan (Y1, Dynamic, not reserved)", () => {
    const { body } = only("Microsoft.Web/serverfarms");
    expect(body).toMatch(/sku:\s*\{\s*name:\s*'Y1'\s*tier:\s*'Dynamic'\s*\}/);
    expect(body).toMatch(/reserved:\s*false/);
  });

  it("makes a Windows function app with a system-assigned identity, https only, no FTP, TLS 1.2", () => {
    const { body } = only("Microsoft.Web/sites");
    expect(body).toMatch(/kind:\s*'functionapp'\s/);
    expect(body).toMatch(/identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
    expect(body).toMatch(/serverFarmId:\s*plan\.id/);
    expect(body).toMatch(/httpsOnly:\s*true/);
    expect(body).toMatch(/ftpsState:\s*'Disabled'/);
    expect(body).toMatch(/minTlsVersion:\s*'1\.2'/);
  });

  it("makes workspace-based Application Insights", () => {
    expect(only("Microsoft.Insights/components").body).toMatch(/WorkspaceResourceId:\s*workspace\.id/);
    expect(only("Microsoft.OperationalInsights/workspaces").body).toMatch(/retentionInDays:/);
  });

  it.each(Object.entries(roleGuids))("grants the app's identity %s (%s) on the storage account", (roleName, guid) => {
    const code = withoutComments(template);
    const variable = new RegExp(`(\\w+):\\s*'${guid}'`).exec(code)?.[1];
    expect(variable, `a variable holding ${guid}`).toBeDefined();
    // The GUID is named in a comment on its line.
    expect(template).toMatch(new RegExp(`'${guid}'\\s*//\\s*${roleName}`));
    const assignment = resources.filter(
      (resource) => resource.type === "Microsoft.Authorization/roleAssignments" && resource.body.includes(`roleIds.${variable ?? ""})`),
    );
    expect(assignment).toHaveLength(1);
    const body = assignment[0]?.body ?? "";
    expect(body).toMatch(/scope:\s*storage\s/);
    expect(body).toMatch(/principalId:\s*functionApp\.identity\.principalId/);
    expect(body).toMatch(/principalType:\s*'ServicePrincipal'/);
    expect(body).toMatch(/name:\s*guid\(storage\.id,\s*functionApp\.id,/);
    expect(body).toContain("subscriptionResourceId('Microsoft.Authorization/roleDefinitions'");
  });

  it("outputs the app's name, default host name and identity", () => {
    const outputs = [...withoutComments(template).matchAll(/^output\s+(\w+)\s+\w+\s*=\s*(.+)$/gm)].map((match) => [match[1], match[2]?.trim()]);
    expect(outputs).toEqual(
      expect.arrayContaining([
        ["functionAppName", "functionApp.name"],
        ["defaultHostName", "functionApp.properties.defaultHostName"],
        ["principalId", "functionApp.identity.principalId"],
      ]),
    );
  });
});

describe("infra/main.bicep app settings", () => {
  const settings = appSettingsOf(only("Microsoft.Web/sites").body);

  it.each([
    ["FUNCTIONS_WORKER_RUNTIME", "'node'"],
    ["FUNCTIONS_EXTENSION_VERSION", "'~4'"],
    ["WEBSITE_NODE_DEFAULT_VERSION", "'~22'"],
    ["AzureWebJobsStorage__accountName", "storage.name"],
    ["TASKHUB_NAME", "taskHubName"],
    ["MONITOR_ALLOWED_HOSTS", "monitorAllowedHosts"],
    ["APPLICATIONINSIGHTS_CONNECTION_STRING", "appInsights.properties.ConnectionString"],
    ["WEBSITE_CONTENTSHARE", "names.contentShare"],
  ])("sets %s to %s", (name, value) => {
    expect(settings.get(name)).toBe(value);
  });

  it("gives the content share, and nothing else, a key-based connection string", () => {
    const keyed = [...settings].filter(([, value]) => value.includes("listKeys(")).map(([name]) => name);
    expect(keyed).toEqual(["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"]);
    expect(settings.has("AzureWebJobsStorage")).toBe(false);
  });

  it("sets every setting the app reads (process.env in src, %NAME% in host.json, local.settings.json.example)", () => {
    const sources = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith(".ts") ? [`${dir}/${entry.name}`] : [],
      );
    const read_ = sources("src").flatMap((file) => [...read(file).matchAll(/process\.env(?:\.(\w+)|\[\s*"(\w+)"\s*\])/g)].map((m) => m[1] ?? m[2] ?? ""));
    const hostJson = [...read("host.json").matchAll(/%(\w+)%/g)].map((m) => m[1] ?? "");
    const example = Object.keys((JSON.parse(read("local.settings.json.example")) as { Values: Record<string, string> }).Values);
    const needed = new Set([...read_, ...hostJson, ...example]);
    expect(needed).toContain("TASKHUB_NAME");
    // A connection string locally; the identity-based form of the same connection in Azure.
    const satisfied = (name: string): boolean => settings.has(name) || (name === "AzureWebJobsStorage" && settings.has("AzureWebJobsStorage__accountName"));
    expect([...needed].filter((name) => !satisfied(name))).toEqual([]);
  });
});

describe("infra/main.bicep parameters", () => {
  it("describes every parameter", () => {
    expect(params.map((param) => param.name)).toEqual(expect.arrayContaining(["appName", "taskHubName", "monitorAllowedHosts"]));
    for (const param of params) expect(param.decorators.some((decorator) => decorator.startsWith("@description(")), param.name).toBe(true);
  });

  it("leaves MONITOR_ALLOWED_HOSTS empty unless told (README: production must set it)", () => {
    expect(params.find((param) => param.name === "monitorAllowedHosts")?.defaultValue).toBe("''");
  });

  it("uses every parameter at least once", () => {
    const uses = usesOf(template);
    expect(params.filter((param) => !new RegExp(`\\b${param.name}\\b`).test(uses)).map((param) => param.name)).toEqual([]);
  });

  it("declares every parameter main.parameters.json sets", () => {
    const file = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, unknown> };
    const declared = params.map((param) => param.name);
    expect(Object.keys(file.parameters).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it("declares every parameter that the deploy commands name (README.md, and the template's own usage comment)", () => {
    const readmeCommands = deploymentCommandsIn(read("README.md"));
    expect(readmeCommands.length, "README.md shows no `az deployment group create` command").toBeGreaterThan(0);
    const commands = [...readmeCommands, ...deploymentCommandsIn(template)];
    const declared = params.map((param) => param.name);
    for (const command of commands) {
      expect(command.join(" ")).toMatch(/--template-file infra\/main\.bicep\b/);
      const { names, files } = parametersOf(command);
      const fromFiles = files.flatMap((file) => Object.keys((JSON.parse(read(file)) as { parameters: Record<string, unknown> }).parameters));
      const named = [...names, ...fromFiles];
      expect(named.length, command.join(" ")).toBeGreaterThan(0);
      expect(named.filter((name) => !declared.includes(name)), command.join(" ")).toEqual([]);
    }
  });

  it("gets every required parameter (no default) from each README deploy command", () => {
    const required = params.filter((param) => param.defaultValue === undefined).map((param) => param.name);
    expect(required).toEqual(["appName"]);
    for (const command of deploymentCommandsIn(read("README.md"))) {
      const { names, files } = parametersOf(command);
      const fromFiles = files.flatMap((file) => Object.keys((JSON.parse(read(file)) as { parameters: Record<string, unknown> }).parameters));
      expect([...names, ...fromFiles], command.join(" ")).toEqual(expect.arrayContaining(required));
    }
  });
});

describe("infra/main.bicep content share name", () => {
  const expression = /^\s*contentShare:\s*(.+)$/m.exec(withoutComments(template))?.[1]?.trim() ?? "";
  const shareFor = (appName: string): BicepValue => evaluateBicep(expression, { appName });
  // Azure Files: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or
  // digit, no two hyphens in a row.
  const SHARE_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

  it("derives the share from appName in names.contentShare", () => {
    expect(expression).toMatch(/\bappName\b/);
  });

  it.each([
    ["df-patterns-app", "df-patterns-app"],
    ["DF-Patterns-App", "df-patterns-app"],
    ["my--app", "my-app"],
    ["my---app", "my-app"],
    ["a----------b", "a-b"],
    ["abc", "abc"],
    ["a-b", "a-b"],
    ["x".repeat(60), "x".repeat(60)],
    ["ab--".repeat(15), `${"ab-".repeat(14)}ab`],
  ])("makes %j the valid share name %j", (appName, share) => {
    expect(shareFor(appName)).toBe(share);
    expect(share).toMatch(SHARE_NAME);
  });

  it("keeps it at 63 characters for a name longer than appName's @maxLength allows, with no hyphen at the end", () => {
    expect(shareFor("a".repeat(70))).toBe("a".repeat(63));
    expect(shareFor(`${"a".repeat(62)}-bcd`)).toBe("a".repeat(62));
  });

  it("gives a valid share name for every app name Azure accepts (3-60 letters, digits and hyphens, a letter or digit at each end)", () => {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let seed = 20240229;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const letterOrDigit = (): string => alphabet.charAt(random(alphabet.length));
    for (let i = 0; i < 500; i++) {
      const length = 3 + random(58);
      const middle = Array.from({ length: length - 2 }, () => (random(3) === 0 ? "-" : letterOrDigit())).join("");
      const appName = `${letterOrDigit()}${middle}${letterOrDigit()}`;
      expect(shareFor(appName), appName).toMatch(SHARE_NAME);
    }
  });
});
