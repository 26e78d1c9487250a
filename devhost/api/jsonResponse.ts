import { RawJson } from "./jsonToken.js";

/** A JSON response with the content type the extension's responses carry. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(jsonText(body) ?? null, {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** JSON.stringify, but with RawJson values written as their text. Undefined for what JSON.stringify leaves out. */
function jsonText(value: unknown): string | undefined {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${Array.from(value, (item: unknown) => jsonText(item) ?? "null").join(",")}]`;
  if (typeof value === "object" && value !== null && !("toJSON" in value)) {
    const members = Object.entries(value).flatMap(([key, member]) => {
      const text = jsonText(member);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}
