import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HttpRequest } from "@azure/functions";
import { acceptedResponse, ROUTE_PREFIX } from "../../src/durable/acceptedResponse.js";

/** The app's own 202s: Location on the caller's origin, under host.json's route prefix. */

interface HostJson {
  extensions?: { http?: { routePrefix?: string } };
}

const hostJson = JSON.parse(readFileSync(new URL("../../host.json", import.meta.url), "utf8")) as HostJson;

const request = (url: string): HttpRequest => new HttpRequest({ method: "POST", url });

describe("acceptedResponse", () => {
  it("uses host.json's extensions.http.routePrefix, which the host puts in front of every route", () => {
    // The host's default is "api" when host.json sets none; this app writes it out.
    const routePrefix = hostJson.extensions?.http?.routePrefix;
    expect(routePrefix).toBeDefined();
    expect(ROUTE_PREFIX).toBe(routePrefix);
  });

  it("answers 202 with Location <request origin>/api/<route>, Retry-After 10 and the location in the body", () => {
    const response = acceptedResponse(request("https://patterns.example.net/api/counter/apples/add?value=5&wait=true"), "counter/apples", {
      id: "apples",
      operation: "add",
    });

    expect(response).toEqual({
      status: 202,
      headers: { Location: "https://patterns.example.net/api/counter/apples", "Retry-After": "10" },
      jsonBody: { id: "apples", operation: "add", location: "https://patterns.example.net/api/counter/apples" },
    });
  });

  it("keeps the origin's scheme and port and drops its path and query (the function key among them)", () => {
    const response = acceptedResponse(request("http://localhost:7071/api/e3counter/c1/incr?code=key"), "e3counter/c1", {
      instanceId: "c1",
    });

    expect(response.headers).toEqual({ Location: "http://localhost:7071/api/e3counter/c1", "Retry-After": "10" });
    expect(response.jsonBody).toEqual({ instanceId: "c1", location: "http://localhost:7071/api/e3counter/c1" });
  });

  it("lets the location it computes win over a body field of the same name", () => {
    const response = acceptedResponse(request("https://patterns.example.net/api/x"), "counter/c", { location: "elsewhere" });
    expect(response.jsonBody).toEqual({ location: "https://patterns.example.net/api/counter/c" });
  });
});
