/** A JSON string literal (which cannot hold a raw line break), or a run of the whitespace JSON allows between tokens. */
const STRING_OR_WHITESPACE = /"(?:[^"\\]|\\.)*"|[ \t\n\r]+/g;

/**
 * Valid JSON text without the whitespace between its tokens, and otherwise as written: numbers keep
 * every digit, as Newtonsoft keeps them (JSON.parse would round integers beyond 2^53).
 */
export function compactJson(text: string): string {
  return text.replace(STRING_OR_WHITESPACE, (match) => (match.startsWith('"') ? match : ""));
}
