import type { RouteParameter } from "./parseRouteParameter.js";
import type { RequestPath } from "./RequestPath.js";
import { splitRouteTemplate } from "./splitRouteTemplate.js";

export interface RouteLiteral {
  readonly kind: "literal";
  readonly text: string;
}

export type RoutePart = RouteLiteral | RouteParameter;

/**
 * A route template in the syntax of the Functions host (ASP.NET Core routing): literal segments,
 * `{name}`, `{name?}`, `{name=default}`, inline constraints, `{*rest}` / `{**rest}`, segments that
 * mix literals and parameters (`{file}.{ext?}`), `{{` and `}}` for literal braces.
 */
export class RouteTemplate {
  /** Per segment, lower ranks first: literal 1, constrained parameter or mixed segment 2, parameter 3, optional (or defaulted) parameter 4, catch-all 5. */
  readonly ranks: readonly number[];

  private constructor(
    readonly template: string,
    readonly segments: readonly (readonly RoutePart[])[],
  ) {
    this.ranks = segments.map(rankOf);
  }

  /** Throws, with ASP.NET Core's messages, for templates the host would refuse. */
  static parse(template: string): RouteTemplate {
    return new RouteTemplate(template, splitRouteTemplate(template.replace(/^~?\//, "")));
  }

  /** The route values (decoded, defaults included) when the path matches, constraints included. */
  match(path: RequestPath): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (const [index, parts] of this.segments.entries()) {
      const [first] = parts;
      if (first?.kind === "parameter" && first.catchAll) {
        const rest = path.segments.slice(index);
        const captured = rest.join("/") + (path.trailingSlash && rest.length > 0 ? "/" : "");
        setValue(values, first, captured === "" ? undefined : captured);
        return this.#constraintsHold(values) ? values : undefined;
      }
      const segment = path.segments[index];
      if (segment === undefined) {
        // Past the end of the path, only lone parameters that may be left out can follow.
        if (parts.length !== 1 || first?.kind !== "parameter" || (!first.optional && first.defaultValue === undefined)) return undefined;
        setValue(values, first, undefined);
      } else if (!matchSegment(parts, segment, values)) return undefined;
    }
    if (path.segments.length > this.segments.length) return undefined;
    return this.#constraintsHold(values) ? values : undefined;
  }

  #constraintsHold(values: Record<string, string>): boolean {
    return this.segments.every((parts) =>
      parts.every((part) => {
        if (part.kind !== "parameter") return true;
        const value = values[part.name];
        return value === undefined || part.constraints.every((constraint) => constraint.test(value));
      }),
    );
  }
}

function setValue(values: Record<string, string>, parameter: RouteParameter, value: string | undefined): void {
  const chosen = value ?? parameter.defaultValue;
  if (chosen !== undefined) values[parameter.name] = chosen;
}

function equalIgnoringCase(a: string, b: string): boolean {
  return a.length === b.length && a.toUpperCase() === b.toUpperCase();
}

function matchSegment(parts: readonly RoutePart[], segment: string, values: Record<string, string>): boolean {
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) {
    if (first.kind === "literal") return equalIgnoringCase(first.text, segment);
    values[first.name] = segment;
    return true;
  }
  const last = parts.at(-1);
  if (last?.kind === "parameter" && last.optional) {
    // `{name}.{ext?}`: the optional part with its "." may be missing.
    return matchMixedSegment(parts, segment, values) || matchMixedSegment(parts.slice(0, -2), segment, values);
  }
  return matchMixedSegment(parts, segment, values);
}

/**
 * A segment of literals and parameters, matched from the right as ASP.NET Core does: each literal
 * at its last occurrence left of what is already matched, each parameter taking at least one
 * character. So `{name}.{ext}` splits "a.b.c" into "a.b" and "c".
 */
function matchMixedSegment(parts: readonly RoutePart[], segment: string, values: Record<string, string>): boolean {
  const captured: [string, string][] = [];
  const upper = segment.toUpperCase();
  let end = segment.length;
  let pending: RouteParameter | undefined;
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index];
    if (part === undefined) return false;
    if (part.kind === "parameter") {
      pending = part;
      continue;
    }
    const literal = part.text.toUpperCase();
    // A parameter to the right needs at least one character, so the literal must end before `end`.
    const latestStart = pending === undefined ? end - literal.length : end - literal.length - 1;
    const at = pending === undefined ? latestStart : upper.lastIndexOf(literal, latestStart);
    if (latestStart < 0 || at < 0 || upper.slice(at, at + literal.length) !== literal) return false;
    if (pending !== undefined) captured.push([pending.name, segment.slice(at + literal.length, end)]);
    pending = undefined;
    end = at;
  }
  if (pending !== undefined) {
    if (end === 0) return false;
    captured.push([pending.name, segment.slice(0, end)]);
  } else if (end !== 0) return false;
  for (const [name, value] of captured) values[name] = value;
  return true;
}

function rankOf(parts: readonly RoutePart[]): number {
  const [first] = parts;
  if (parts.length > 1) return 2;
  if (first === undefined || first.kind === "literal") return 1;
  if (first.catchAll) return 5;
  if (first.optional || first.defaultValue !== undefined) return 4;
  return first.constraints.length > 0 ? 2 : 3;
}
