/**
 * The HTTP requests the documentation shows (README.md's curl commands, test.http's REST Client
 * requests), parsed into method, URL and body, and a matcher for the Functions host's route
 * templates, so that a test can check each one against the routes the app registers.
 */

export interface ExampleRequest {
  /** Where it was found, for failure messages. */
  origin: string;
  method: string;
  url: string;
  body?: string;
}

/** Shell words of one command line: quotes removed, an unquoted word starting with # ends the line. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  let i = 0;
  while (i < line.length) {
    const char = line.charAt(i);
    if (char === "'" || char === '"') {
      const end = line.indexOf(char, i + 1);
      if (end < 0) throw new Error(`Unclosed ${char} in: ${line}`);
      current = (current ?? "") + line.slice(i + 1, end);
      i = end + 1;
    } else if (/\s/.test(char)) {
      if (current !== undefined) words.push(current);
      current = undefined;
      i += 1;
    } else if (char === "#" && current === undefined) {
      break;
    } else {
      current = (current ?? "") + char;
      i += 1;
    }
  }
  if (current !== undefined) words.push(current);
  return words;
}

/** The curl commands in the Markdown's sh code blocks (continuation lines joined). */
export function curlRequests(markdown: string, originName = "README.md"): ExampleRequest[] {
  const requests: ExampleRequest[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash|shell)\n([^]*?)```/g)) {
    const code = (block[1] ?? "").replace(/\\\n/g, " ");
    for (const line of code.split("\n")) {
      const words = shellWords(line.trim());
      if (words[0] !== "curl") continue;
      let method: string | undefined;
      let body: string | undefined;
      let url: string | undefined;
      for (let i = 1; i < words.length; i += 1) {
        const word = words[i] ?? "";
        if (word === "-X" || word === "--request") method = words[(i += 1)];
        else if (word === "-d" || word === "--data" || word === "--data-raw" || word === "--data-binary") body = words[(i += 1)];
        else if (word === "-H" || word === "--header") i += 1;
        else if (/^https?:\/\//.test(word)) url = word;
      }
      if (url === undefined) throw new Error(`No URL in: ${line}`);
      requests.push({
        origin: `${originName}: ${line.trim()}`,
        method: method ?? (body === undefined ? "GET" : "POST"),
        url,
        ...(body === undefined ? {} : { body }),
      });
    }
  }
  return requests;
}

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/**
 * The requests of a REST Client .http file: blocks separated by `###`, file variables
 * (`@name = value`) substituted, request variables such as `{{start.response.body.$.id}}` left as
 * they are (a placeholder).
 */
export function httpFileRequests(text: string, originName = "test.http"): ExampleRequest[] {
  const variables = new Map<string, string>();
  for (const match of text.matchAll(/^@(\w+)\s*=\s*(.*)$/gm)) variables.set(match[1] ?? "", (match[2] ?? "").trim());
  const substitute = (value: string): string => value.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => variables.get(name) ?? whole);
  const requests: ExampleRequest[] = [];
  for (const block of text.split(/^###.*$/m)) {
    const lines = block.split("\n");
    const start = lines.findIndex((line) => {
      const trimmed = line.trim();
      return trimmed !== "" && !trimmed.startsWith("#") && !trimmed.startsWith("//") && !trimmed.startsWith("@");
    });
    if (start < 0) continue;
    const requestLine = (lines[start] ?? "").trim();
    const [first = "", second] = requestLine.split(/\s+/);
    const method = HTTP_METHODS.includes(first) ? first : "GET";
    const url = substitute(HTTP_METHODS.includes(first) ? (second ?? "") : first);
    const rest = lines.slice(start + 1);
    const blank = rest.findIndex((line) => line.trim() === "");
    const body = blank < 0 ? "" : rest.slice(blank + 1).join("\n").trim();
    const name = /#\s*@name\s+(\w+)/.exec(block)?.[1];
    requests.push({ origin: `${originName}: ${name ?? requestLine}`, method, url, ...(body === "" ? {} : { body }) });
  }
  return requests;
}

/** A placeholder in an example's path: `<id>` in the README, `{{request.response...}}` in test.http. */
const PLACEHOLDER = /^(<[^>]+>|\{\{[^}]+\}\})$/;

export function isPlaceholder(segment: string): boolean {
  return PLACEHOLDER.test(segment);
}

/** Path segments after the route prefix (`/api`), or undefined when the path is not under it. */
export function routeSegments(url: string, routePrefix: string): string[] | undefined {
  // Placeholders may hold characters URL parsing would mangle: take the path textually.
  const afterHost = url.replace(/^https?:\/\/[^/]+/, "");
  const path = afterHost.split("?")[0] ?? "";
  const segments = path.split("/").filter((segment) => segment !== "");
  const prefix = routePrefix.split("/").filter((segment) => segment !== "");
  if (!prefix.every((segment, index) => segments[index]?.toLowerCase() === segment.toLowerCase())) return undefined;
  return segments.slice(prefix.length);
}

/**
 * Whether the path segments match a Functions route template: literal segments (compared without
 * case, as the host does), `{name}` (one segment), `{name?}` (an optional segment, only at the end)
 * and `{*name}` (the rest). A placeholder segment matches a parameter, never a literal.
 */
export function matchesRouteTemplate(template: string, segments: readonly string[]): boolean {
  const parts = template.split("/").filter((part) => part !== "");
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? "";
    const segment = segments[i];
    const parameter = /^\{(\*)?(\w+)(?::[^}?]+)?(\?)?\}$/.exec(part);
    if (parameter === null) {
      if (part.includes("{")) throw new Error(`Route template segment not understood: ${part}`);
      if (segment === undefined || isPlaceholder(segment) || segment.toLowerCase() !== part.toLowerCase()) return false;
      continue;
    }
    const [, catchAll] = parameter;
    if (catchAll !== undefined) return true;
    if (segment === undefined) {
      // Only trailing optional parameters may be left out.
      return parts.slice(i).every((rest) => /^\{\w+(?::[^}?]+)?\?\}$/.test(rest));
    }
  }
  return segments.length === parts.length;
}

/**
 * The request as a comparable line: method, path and query with placeholders as `*`, and body.
 * The host and the function key (`code=`) are left out: they differ between local runs and Azure.
 */
export function requestKey(request: ExampleRequest): string {
  const afterHost = request.url.replace(/^https?:\/\/[^/]+/, "");
  const [path = "", query = ""] = afterHost.split("?");
  const normalisedPath = path
    .split("/")
    .map((segment) => (isPlaceholder(segment) ? "*" : segment))
    .join("/");
  const parameters = query.split("&").filter((parameter) => parameter !== "" && !/^code=/.test(parameter));
  const normalisedQuery = parameters.length === 0 ? "" : `?${parameters.join("&")}`;
  return `${request.method} ${normalisedPath}${normalisedQuery}${request.body === undefined ? "" : ` ${request.body}`}`;
}
