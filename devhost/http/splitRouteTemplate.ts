import { parseRouteParameter, type RouteParameter } from "./parseRouteParameter.js";
import type { RoutePart } from "./RouteTemplate.js";

const CONSECUTIVE_SEPARATORS = "The route template separator character '/' cannot appear consecutively. It must be separated by either a parameter or a literal value.";
const INCOMPLETE_PARAMETER = "There is an incomplete parameter in the route template. Check that each '{' character has a matching '}' character.";

/**
 * The template's segments and their parts, checked against ASP.NET Core's rules (with its
 * messages): "{{" and "}}" are literal braces, parameters are unique, a catch-all comes last and
 * alone, parameters in one segment are separated by literals, and an optional parameter in a
 * mixed segment comes last after a ".".
 */
export function splitRouteTemplate(template: string): RoutePart[][] {
  const segments = splitSegments(template);
  validate(segments);
  return segments;
}

function splitSegments(template: string): RoutePart[][] {
  const segments: RoutePart[][] = [];
  let parts: RoutePart[] = [];
  let literal = "";
  const endLiteral = (): void => {
    if (literal === "") return;
    if (literal.includes("?")) throw new Error(`The literal section '${literal}' is invalid. Literal sections cannot contain the '?' character.`);
    parts.push({ kind: "literal", text: literal });
    literal = "";
  };
  for (let i = 0; i < template.length; i++) {
    const char = template.charAt(i);
    const next = template.charAt(i + 1);
    if ((char === "{" || char === "}") && next === char) {
      literal += char;
      i++;
    } else if (char === "}") throw new Error(INCOMPLETE_PARAMETER);
    else if (char === "/") {
      endLiteral();
      if (parts.length === 0) throw new Error(CONSECUTIVE_SEPARATORS);
      segments.push(parts);
      parts = [];
    } else if (char === "{") {
      endLiteral();
      const { text, end } = readParameter(template, i + 1);
      parts.push(parseRouteParameter(text));
      i = end;
    } else literal += char;
  }
  endLiteral();
  if (parts.length > 0) segments.push(parts);
  return segments;
}

/** The parameter text from `start` to its closing "}" (returned as `end`), with "{{" and "}}" undone. */
function readParameter(template: string, start: number): { text: string; end: number } {
  let text = "";
  for (let i = start; i < template.length; i++) {
    const char = template.charAt(i);
    const doubled = template.charAt(i + 1) === char;
    if ((char === "{" || char === "}") && doubled) {
      text += char;
      i++;
    } else if (char === "}") return { text, end: i };
    else if (char === "{") throw new Error("In a route parameter, '{' and '}' must be escaped with '{{' and '}}'.");
    else text += char;
  }
  throw new Error(INCOMPLETE_PARAMETER);
}

function validate(segments: readonly (readonly RoutePart[])[]): void {
  const names = new Set<string>();
  for (const [index, parts] of segments.entries()) {
    for (const [position, part] of parts.entries()) {
      if (part.kind === "literal") continue;
      const key = part.name.toUpperCase();
      if (names.has(key)) throw new Error(`The route parameter name '${part.name}' appears more than one time in the route template.`);
      names.add(key);
      if (part.catchAll && parts.length > 1) {
        throw new Error("A path segment that contains more than one section, such as a literal section or a parameter, cannot contain a catch-all parameter.");
      }
      if (part.catchAll && index < segments.length - 1) throw new Error("A catch-all parameter can only appear as the last segment of the route template.");
      if (parts[position + 1]?.kind === "parameter") {
        throw new Error("A path segment cannot contain two consecutive parameters. They must be separated by a '/' or by a literal string.");
      }
      if (part.optional && parts.length > 1) validateOptionalInMixedSegment(parts, position);
    }
  }
}

function validateOptionalInMixedSegment(parts: readonly RoutePart[], position: number): void {
  const parameter = parts[position] as RouteParameter;
  const following = parts[position + 1];
  if (following !== undefined) {
    throw new Error(`An optional parameter must be at the end of the segment. In the segment '${describe(parts)}', optional parameter '${parameter.name}' is followed by '${describe([following])}'.`);
  }
  const preceding = parts[position - 1];
  if (preceding?.kind === "literal" && preceding.text !== ".") {
    throw new Error(
      `In the segment '${describe(parts)}', the optional parameter '${parameter.name}' is preceded by an invalid segment '${preceding.text}'. Only a period (.) can precede an optional parameter.`,
    );
  }
}

function describe(parts: readonly RoutePart[]): string {
  return parts.map((part) => (part.kind === "literal" ? part.text : `{${part.name}${part.optional ? "?" : ""}}`)).join("");
}
