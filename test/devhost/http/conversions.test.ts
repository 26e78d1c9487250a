import * as library from "@azure/functions";
import { describe, expect, it } from "vitest";
import { parseRequestPath } from "../../../devhost/http/RequestPath.js";
import { setCookieHeader } from "../../../devhost/http/setCookieHeader.js";
import { toFunctionResponse } from "../../../devhost/http/toFunctionResponse.js";

/** The pieces of the request and response conversion that the end-to-end tests cannot pin down exactly. */

describe("setCookieHeader", () => {
  it.each([
    [{ name: "a", value: "x y" }, "a=x%20y; path=/"],
    [{ name: "a", value: "!'()*~-_." }, "a=%21%27%28%29%2A~-_.; path=/"],
    [{ name: "a", value: "é=;," }, "a=%C3%A9%3D%3B%2C; path=/"],
    [{ name: "a", value: "", expires: 0 }, "a=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/"],
    [{ name: "a", value: "1", maxAge: 90.9 }, "a=1; max-age=90; path=/"],
    [{ name: "a", value: "1", secure: false, httpOnly: false }, "a=1; path=/"],
    [{ name: "a", value: "1", sameSite: "None" as const }, "a=1; path=/; samesite=none"],
  ])("%j is %s", (cookie, header) => {
    expect(setCookieHeader(cookie)).toBe(header);
  });

  it("refuses an invalid expiry date", () => {
    expect(() => setCookieHeader({ name: "a", value: "1", expires: new Date("not a date") })).toThrow("valid date");
  });
});

describe("toFunctionResponse", () => {
  it("keeps an HttpResponse and wraps an HttpResponseInit", async () => {
    const response = new library.HttpResponse({ status: 201 });
    expect(toFunctionResponse(library, response)).toBe(response);
    const wrapped = toFunctionResponse(library, { jsonBody: { a: 1 } });
    expect([wrapped?.status, wrapped?.headers.get("content-type"), await wrapped?.text()]).toEqual([200, "application/json", '{"a":1}']);
  });

  it("leaves no result as none and refuses a result that is not an object", () => {
    expect(toFunctionResponse(library, undefined)).toBeUndefined();
    expect(toFunctionResponse(library, null)).toBeUndefined();
    expect(() => toFunctionResponse(library, "text")).toThrow('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  });

  it("fails for a status the library cannot represent, as in the worker", () => {
    expect(() => toFunctionResponse(library, { status: 99 })).toThrow(RangeError);
  });
});

describe("parseRequestPath", () => {
  it.each([
    ["/", { segments: [], trailingSlash: false }],
    ["/a/b/", { segments: ["a", "b"], trailingSlash: true }],
    ["/a/%2e%2E/b", { segments: ["b"], trailingSlash: false }],
    ["/a/%2F/b", { segments: ["a", "%2F", "b"], trailingSlash: false }],
    ["//a", undefined],
  ])("%s", (raw, expected) => {
    expect(parseRequestPath(raw)).toEqual(expected);
  });
});
