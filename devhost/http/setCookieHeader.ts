import type { Cookie } from "@azure/functions";

/**
 * A Set-Cookie value as the host writes the worker's cookies (ASP.NET Core's ResponseCookies):
 * the value escaped like Uri.EscapeDataString, path "/" unless given, attributes in ASP.NET's
 * order, SameSite only when the cookie names it.
 */
export function setCookieHeader(cookie: Cookie): string {
  if (typeof cookie.name !== "string" || typeof cookie.value !== "string") throw new TypeError("A cookie needs a string name and value.");
  let header = `${cookie.name}=${escapeDataString(cookie.value)}`;
  if (cookie.expires !== undefined) header += `; expires=${toDate(cookie.expires).toUTCString()}`;
  if (cookie.maxAge !== undefined) header += `; max-age=${Math.trunc(cookie.maxAge)}`;
  if (cookie.domain !== undefined) header += `; domain=${cookie.domain}`;
  header += `; path=${cookie.path ?? "/"}`;
  if (cookie.secure === true) header += "; secure";
  if (cookie.sameSite !== undefined) header += `; samesite=${cookie.sameSite.toLowerCase()}`;
  if (cookie.httpOnly === true) header += "; httponly";
  return header;
}

/** Uri.EscapeDataString leaves only A-Z, a-z, 0-9 and "-_.~" as they are. */
function escapeDataString(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function toDate(expires: Date | number): Date {
  const date = typeof expires === "number" ? new Date(expires) : expires;
  if (Number.isNaN(date.getTime())) throw new TypeError("A cookie's expires must be a valid date.");
  return date;
}
