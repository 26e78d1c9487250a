import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * The files package.json `main` names, relative to the app root with "/" separators, as the worker's
 * globby call finds them: `{a,b}` alternatives (nested too), `*` and `?` within one path segment,
 * `**` for any depth, `[...]` classes; files only; names starting with "." only when the pattern
 * spells the dot. Each alternative's matches are sorted, alternatives keep their order, and a file
 * matched twice is listed once.
 */
export async function expandMainGlob(appRoot: string, pattern: string): Promise<string[]> {
  const files = new Set<string>();
  for (const alternative of expandBraces(pattern.replace(/^\.\//, ""))) {
    const segments = alternative.split("/").filter((segment) => segment !== "" && segment !== ".");
    const matches = await matchSegments(appRoot, "", segments);
    for (const match of matches.sort()) files.add(match);
  }
  return [...files];
}

function expandBraces(pattern: string): string[] {
  const group = findBraceGroup(pattern);
  if (group === undefined) return [pattern];
  const before = pattern.slice(0, group.start);
  const after = pattern.slice(group.end + 1);
  return group.alternatives.flatMap((alternative) => expandBraces(before + alternative + after));
}

/** The first `{...}` with a top-level comma; a brace pair without one is literal, as in globby. */
function findBraceGroup(pattern: string): { start: number; end: number; alternatives: string[] } | undefined {
  for (let start = pattern.indexOf("{"); start >= 0; start = pattern.indexOf("{", start + 1)) {
    let depth = 0;
    let partStart = start + 1;
    const alternatives: string[] = [];
    for (let i = start; i < pattern.length; i++) {
      const char = pattern[i];
      if (char === "{") depth++;
      else if (char === "}" && --depth === 0) {
        if (alternatives.length === 0) break;
        alternatives.push(pattern.slice(partStart, i));
        return { start, end: i, alternatives };
      } else if (char === "," && depth === 1) {
        alternatives.push(pattern.slice(partStart, i));
        partStart = i + 1;
      }
    }
  }
  return undefined;
}

async function matchSegments(root: string, relative: string, segments: readonly string[]): Promise<string[]> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return (await isFile(root, relative)) ? [relative] : [];
  if (segment === "**") {
    const here = await matchSegments(root, relative, rest);
    const below = await Promise.all((await subdirectories(root, relative)).map((dir) => matchSegments(root, join(relative, dir), segments)));
    return [...here, ...below.flat()];
  }
  if (!/[*?[]/.test(segment)) return matchSegments(root, join(relative, segment), rest);
  const matcher = segmentMatcher(segment);
  const entries = await listDirectory(root, relative);
  const matches = await Promise.all(
    entries.filter((entry) => matcher.test(entry.name)).map((entry) => matchSegments(root, join(relative, entry.name), rest)),
  );
  return matches.flat();
}

function segmentMatcher(segment: string): RegExp {
  let source = segment.startsWith(".") ? "" : "(?!\\.)";
  for (let i = 0; i < segment.length; i++) {
    const char = segment.charAt(i);
    const classEnd = char === "[" ? segment.indexOf("]", i + 2) : -1;
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (classEnd > 0) {
      source += `[${segment.slice(i + 1, classEnd).replace(/^!/, "^")}]`;
      i = classEnd;
    } else source += char.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

const join = (relative: string, name: string): string => (relative === "" ? name : `${relative}/${name}`);

async function listDirectory(root: string, relative: string) {
  try {
    return await readdir(path.join(root, relative), { withFileTypes: true });
  } catch {
    return [];
  }
}

async function subdirectories(root: string, relative: string): Promise<string[]> {
  const entries = await listDirectory(root, relative);
  return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => entry.name);
}

async function isFile(root: string, relative: string): Promise<boolean> {
  try {
    return relative !== "" && (await stat(path.join(root, relative))).isFile();
  } catch {
    return false;
  }
}
