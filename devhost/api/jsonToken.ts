import { compactJson } from "./compactJson.js";

/**
 * JSON text that an answer carries as it is (see jsonResponse): its numbers keep every digit, as in
 * the extension's answers, where Newtonsoft's JToken keeps them.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * How the extension turns stored JSON text into the JSON it answers with (ParseToJToken): absent is
 * null, blank is "", JSON is answered as written (a RawJson, without the whitespace between its
 * tokens), and text that is not JSON (a terminate reason, say) is answered as a string.
 */
export function jsonToken(text: string | undefined): unknown {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
  return new RawJson(compactJson(trimmed));
}
