/**
 * A timestamp as the extension's JSON shows a .NET DateTime (Newtonsoft's ISO format): UTC, with
 * the fraction of a second trimmed of trailing zeros and left out when zero. Text that is not a
 * date is returned as it is.
 */
export function dotNetDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const [seconds = "", fraction = ""] = date.toISOString().slice(0, -1).split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return trimmed === "" ? `${seconds}Z` : `${seconds}.${trimmed}Z`;
}
