import { createRouteConstraint, type RouteConstraint } from "./routeConstraints.js";

export interface RouteParameter {
  readonly kind: "parameter";
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly RouteConstraint[];
}

const INVALID_NAME_CHARACTERS = /[/{}?*]/;

/**
 * The text between `{` and `}` (escapes already undone), read as ASP.NET Core reads it:
 * `*` or `**` for a catch-all, the name, `:constraint` or `:constraint(arguments)` as often as
 * wanted, `=default`, and a final `?` for optional.
 */
export function parseRouteParameter(text: string): RouteParameter {
  const catchAll = text.startsWith("*");
  const start = text.startsWith("**") ? 2 : catchAll ? 1 : 0;
  const optional = text.length > start && text.endsWith("?");
  const end = optional ? text.length - 1 : text.length;

  // ":" or "=" ends the name, except as its first character.
  let nameEnd = start;
  while (nameEnd < end && !(nameEnd > start && (text[nameEnd] === ":" || text[nameEnd] === "="))) nameEnd++;
  const name = text.slice(start, nameEnd);
  if (name === "" || INVALID_NAME_CHARACTERS.test(name)) {
    throw new Error(
      `The route parameter name '${name}' is invalid. Route parameter names must be non-empty and cannot contain these characters: '{', '}', '/'. The '?' character marks a parameter as optional, and can occur only at the end of the parameter. The '*' character marks a parameter as catch-all, and can occur only at the start of the parameter.`,
    );
  }

  const { constraints, next } = splitConstraints(text, nameEnd, end);
  const defaultValue = next < end && text[next] === "=" ? text.slice(next + 1, end) : undefined;
  if (catchAll && optional) throw new Error("A catch-all parameter cannot be marked optional.");
  if (optional && defaultValue !== undefined) throw new Error("An optional parameter cannot have default value.");
  return { kind: "parameter", name, optional, catchAll, defaultValue, constraints: constraints.map(createRouteConstraint) };
}

/**
 * The constraint texts from `index` on, and where they stop (at "=" or the end). Inside
 * parentheses, ":" and "=" belong to the argument when a ")" follows later, and a ")" closes the
 * argument only before ":", "=" or the end, so regular expressions keep their colons and parentheses.
 */
function splitConstraints(text: string, index: number, end: number): { constraints: string[]; next: number } {
  const constraints: string[] = [];
  const add = (constraint: string): void => {
    if (constraint !== "") constraints.push(constraint);
  };
  let state: "start" | "name" | "arguments" = "start";
  let from = index;
  for (let i = index; ; i++) {
    const char = i < end ? text[i] : undefined;
    if (state !== "arguments") {
      if (char === undefined || char === "=") {
        if (state === "name") add(text.slice(from, i));
        return { constraints, next: i };
      }
      if (char === ":") {
        if (state === "name") add(text.slice(from, i));
        state = "name";
        from = i + 1;
      } else if (char === "(") state = "arguments";
      continue;
    }
    if (char === undefined) {
      add(text.slice(from, i));
      return { constraints, next: i };
    }
    if (char === ")") {
      const following = i + 1 < end ? text[i + 1] : undefined;
      if (following === undefined || following === ":" || following === "=") {
        add(text.slice(from, i + 1));
        if (following !== ":") return { constraints, next: i + 1 };
        state = "start";
        from = i + 1;
      }
    } else if (char === ":" || char === "=") {
      const close = text.indexOf(")", i + 1);
      if (close >= 0 && close < end) i = close - 1;
      else {
        add(text.slice(from, i));
        if (char === "=") return { constraints, next: i };
        state = "name";
        from = i + 1;
      }
    }
  }
}
