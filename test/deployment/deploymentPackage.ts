import { readdirSync } from "node:fs";
import path from "node:path";
import ignore from "ignore";

/**
 * The two readers of .funcignore, so that a test can list what a deployment would upload:
 *
 * - the VS Code Azure Functions extension zips the project through glob-gitignore, that is with
 *   real gitignore rules (the `ignore` package, which glob-gitignore uses);
 * - `func azure functionapp publish` (Core Tools) uses its own GitIgnoreParser, a port of the
 *   codemix gitignore-parser: each pattern becomes a regular expression anchored at the start of
 *   the file's path and ending at a word boundary (so `test` also matches `test.http`, but not
 *   `tests`), `**` means "one or more characters" and `*` "one or more characters other than /".
 *   Ported below from Core Tools' src/Cli/func/Common/GitIgnoreParser.cs (the same since 2020).
 *   Core Tools also always leaves out .git/, .vscode/, .funcignore, .gitignore and
 *   local.settings.json; the filter below does not, so .funcignore must say so itself.
 */

export interface PackageFilter {
  name: string;
  /** True when the file (a path relative to the project root, with /) goes into the package. */
  includes(relativePath: string): boolean;
}

export function gitignoreFilter(funcignore: string): PackageFilter {
  const matcher = ignore().add(funcignore);
  return { name: "gitignore rules (VS Code deploy)", includes: (relativePath) => !matcher.ignores(relativePath) };
}

function coreToolsPattern(pattern: string): string {
  return pattern
    .replace(/[-[\]/{}()+?.\\^$|]/g, "\\$&")
    .replaceAll("**", "(.+)")
    .replaceAll("*", "([^\\/]+)");
}

export function coreToolsFilter(funcignore: string): PackageFilter {
  const positive: string[] = [];
  const negative: string[] = [];
  for (const rawLine of funcignore.split("\n")) {
    let line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const isNegative = line.startsWith("!");
    if (isNegative) line = line.slice(1);
    if (line.startsWith("/")) line = line.slice(1);
    (isNegative ? negative : positive).push(coreToolsPattern(line));
  }
  const compile = (patterns: string[]): RegExp => (patterns.length > 0 ? new RegExp(`^((${patterns.join(")|(")}))\\b`) : /$^/);
  const denied = compile(positive);
  const reincluded = compile(negative);
  return { name: "Core Tools' parser (func azure functionapp publish)", includes: (relativePath) => reincluded.test(relativePath) || !denied.test(relativePath) };
}

/** Every file below `root`, as /-separated paths relative to `root`, skipping the named top-level entries. */
export function filesBelow(root: string, skipTopLevel: readonly string[] = []): string[] {
  const files: string[] = [];
  const visit = (relativeDir: string): void => {
    for (const entry of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      if (relativeDir === "" && skipTopLevel.includes(entry.name)) continue;
      const relativePath = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        visit(relativePath);
      } else {
        files.push(relativePath);
      }
    }
  };
  visit("");
  return files.sort();
}

/** Expands `{a,b}` alternatives (nesting allowed) into the plain glob patterns they stand for. */
function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length && close < 0; i += 1) {
    const char = pattern[i];
    if (char === "{") depth += 1;
    else if (char === "}") {
      depth -= 1;
      if (depth === 0) close = i;
    } else if (char === "," && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const bounds = [open, ...commas, close];
  const prefix = pattern.slice(0, open);
  const suffix = pattern.slice(close + 1);
  return bounds.slice(0, -1).flatMap((start, index) => expandBraces(`${prefix}${pattern.slice(start + 1, bounds[index + 1])}${suffix}`));
}

/**
 * A matcher for the glob in package.json "main" as the Node worker reads it (braces, `*` within
 * one folder, `**` across folders).
 */
export function globMatcher(glob: string): (relativePath: string) => boolean {
  const expressions = expandBraces(glob).map((pattern) => {
    const source = pattern
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => {
        if (part === "**/") return "(?:.*/)?";
        if (part === "**") return ".*";
        if (part === "*") return "[^/]*";
        if (part === "?") return "[^/]";
        return part.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    return new RegExp(`^${source}$`);
  });
  return (relativePath) => expressions.some((expression) => expression.test(relativePath));
}
