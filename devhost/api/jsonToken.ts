/**
 * How the extension turns stored JSON text into the JSON it answers with (ParseToJToken): absent is
 * null, blank is "", and text that is not JSON (a terminate reason, say) is answered as a string.
 */
export function jsonToken(text: string | undefined): unknown {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}
