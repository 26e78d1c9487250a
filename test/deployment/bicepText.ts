/**
 * Just enough of Bicep's syntax to check infra/main.bicep without the Bicep CLI: comments,
 * strings, declarations and the braces that delimit a resource's body.
 */

/**
 * The text with every comment replaced by spaces (strings, which may contain "//", kept intact).
 * Lengths and line breaks are kept, so an index into the result is an index into the source.
 */
export function withoutComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const char = source.charAt(i);
    const next = source.charAt(i + 1);
    if (char === "'") {
      const end = endOfString(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (char === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

/** Index just past the string that starts at `start` (a quote); Bicep escapes with a backslash. */
function endOfString(source: string, start: number): number {
  if (source.startsWith("'''", start)) {
    const end = source.indexOf("'''", start + 3);
    return end < 0 ? source.length : end + 3;
  }
  let i = start + 1;
  while (i < source.length) {
    if (source[i] === "\\") i += 2;
    else if (source[i] === "'") return i + 1;
    else i += 1;
  }
  return source.length;
}

/** The text from the bracket at `open` to its matching closing bracket, inclusive, skipping strings. */
export function balancedFrom(source: string, open: number): string {
  const opening = source[open];
  const closing = opening === "{" ? "}" : opening === "[" ? "]" : undefined;
  if (closing === undefined) throw new Error(`No bracket at ${open}`);
  let depth = 0;
  let i = open;
  while (i < source.length) {
    const char = source[i];
    if (char === "'") {
      i = endOfString(source, i);
      continue;
    }
    if (char === opening) depth += 1;
    else if (char === closing) {
      depth -= 1;
      if (depth === 0) return source.slice(open, i + 1);
    }
    i += 1;
  }
  throw new Error(`Unbalanced ${opening} at ${open}`);
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  /** The body between its braces, without comments. */
  body: string;
  /** The same body as written, comments included. */
  source: string;
}

export function resourcesOf(source: string): BicepResource[] {
  const code = withoutComments(source);
  return [...code.matchAll(/^resource\s+(\w+)\s+'([^'@]+)@([^']+)'(?:\s+existing)?\s*=\s*(?:if\s*\([^)]*\)\s*)?\{/gm)].map((match) => {
    const [whole, symbol = "", type = "", apiVersion = ""] = match;
    const open = match.index + whole.length - 1;
    const body = balancedFrom(code, open);
    return { symbol, type, apiVersion, body, source: source.slice(open, open + body.length) };
  });
}

export interface BicepParam {
  name: string;
  type: string;
  defaultValue?: string;
  decorators: string[];
}

export function paramsOf(source: string): BicepParam[] {
  const lines = withoutComments(source).split("\n");
  const params: BicepParam[] = [];
  let decorators: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.startsWith("@")) {
      decorators.push(trimmed);
      continue;
    }
    const match = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(trimmed);
    if (match !== null) {
      const [, name = "", type = "", defaultValue] = match;
      params.push({ name, type, decorators, ...(defaultValue === undefined ? {} : { defaultValue }) });
    }
    if (trimmed !== "") decorators = [];
  }
  return params;
}

/** The code with comments, decorators and param declarations removed: where a param's uses are. */
export function usesOf(source: string): string {
  return withoutComments(source)
    .split("\n")
    .filter((line) => !/^\s*(@|param\s)/.test(line))
    .join("\n");
}

/** `name: 'X'` + `value: <expression>` pairs of an appSettings array. */
export function appSettingsOf(resourceBody: string): Map<string, string> {
  const start = resourceBody.search(/appSettings:\s*\[/);
  if (start < 0) return new Map();
  const array = balancedFrom(resourceBody, resourceBody.indexOf("[", start));
  const settings = new Map<string, string>();
  for (const match of array.matchAll(/name:\s*'([^']+)'\s*value:\s*([^\n]+)/g)) {
    const [, name = "", value = ""] = match;
    settings.set(name, value.trim());
  }
  return settings;
}

/**
 * The `az deployment group create` commands in a text (shell continuation lines joined, comment
 * markers in front of them dropped), each as its argument tokens.
 */
export function deploymentCommandsIn(text: string): string[][] {
  const joined = text.replace(/\\\r?\n(?:\s*\/\/)?/g, " ");
  return [...joined.matchAll(/az deployment group create\b([^\n]*)/g)].map((match) => (match[1] ?? "").trim().split(/\s+/));
}

/** The parameter names a command sets with `--parameters a=1 b=2`, and the files it names with `--parameters @file`. */
export function parametersOf(command: readonly string[]): { names: string[]; files: string[] } {
  const names: string[] = [];
  const files: string[] = [];
  let inParameters = false;
  for (const token of command) {
    if (/^--?[a-z]/i.test(token)) {
      inParameters = token === "--parameters" || token === "-p";
      continue;
    }
    if (!inParameters) continue;
    if (token.startsWith("@")) files.push(token.slice(1));
    else {
      const equals = token.indexOf("=");
      if (equals > 0) names.push(token.slice(0, equals));
    }
  }
  return { names, files };
}
