/**
 * A trigger value the host sends as a string, as the function receives it: @azure/functions
 * (`fromRpcTypedData` for TypedData.String, src/converters/fromRpcTypedData.ts) parses it as JSON
 * and falls back to the text itself when it is not JSON.
 *
 * That is how the real stack hands a durable trigger's value to Node: the extension gives the
 * worker the activity input as text, so an input the extension wrote as `123` arrives as the number
 * 123 and `"abc"` as the string abc, while a .NET-written `True` (not JSON) stays the string "True".
 */
export function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
