/**
 * An action's input as the JSON text the host passes on. durable-functions JSON-encodes string
 * inputs of activities and ContinueAsNew itself (`"Tokyo"` arrives as `"\"Tokyo\""`); for those,
 * `stringsAreEncoded` keeps the text as it is. The extension treats that text as the value, so a
 * ContinueAsNew with a string input hands the next execution the quoted string (a quirk kept on purpose).
 */
export function jsonText(value: unknown, stringsAreEncoded: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (stringsAreEncoded && typeof value === "string") return value;
  return JSON.stringify(value);
}
