/**
 * An action's input as the JSON text the host passes on. durable-functions JSON-encodes the string
 * inputs of activities and ContinueAsNew itself (`"Tokyo"` arrives as `"\"Tokyo\""`). An activity
 * still gets "Tokyo" (`stringsAreEncoded` keeps such text as it is), but the extension serialises a
 * ContinueAsNew input once more, so the next execution gets the quoted string: a quirk the host keeps.
 */
export function jsonText(value: unknown, stringsAreEncoded: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (stringsAreEncoded && typeof value === "string") return value;
  return JSON.stringify(value);
}
