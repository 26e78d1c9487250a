import { describe, expect, it } from "vitest";
import type { BindingMetadata, RegisteredFunction } from "../../../devhost/app/functionTypes.js";
import { RouteTable } from "../../../devhost/http/RouteTable.js";

/** The app's HTTP routes: which function answers, and the 404/405 answers when none does. */

function httpFunction(name: string, trigger: Partial<BindingMetadata> = {}): RegisteredFunction {
  const binding = { type: "httpTrigger", direction: "in" as const, name: "request", ...trigger };
  return { name, bindings: { request: binding }, trigger: binding, handler: () => undefined };
}

const orchestration: RegisteredFunction = {
  name: "SomeOrchestrator",
  bindings: { context: { type: "orchestrationTrigger", direction: "in" } },
  trigger: { type: "orchestrationTrigger", direction: "in", name: "context" },
  handler: () => undefined,
};

function resolvedName(table: RouteTable, method: string, path: string): string | undefined {
  const resolution = table.resolve(method, path);
  return resolution.kind === "matched" ? resolution.route.fn.name : resolution.kind;
}

describe("RouteTable", () => {
  it("maps httpTrigger functions under the prefix, with the function name when there is no route", () => {
    const table = new RouteTable([httpFunction("Hello"), httpFunction("Items", { route: "items/{id}", methods: ["GET"] }), orchestration], "api");
    expect(table.routes.map((route) => route.template.template).sort()).toEqual(["api/Hello", "api/items/{id}"]);
    expect(resolvedName(table, "GET", "/api/hello")).toBe("Hello");
    expect(table.resolve("GET", "/api/items/5")).toMatchObject({ kind: "matched", params: { id: "5" } });
    expect(resolvedName(table, "GET", "/hello")).toBe("notFound");
  });

  it.each([
    ["", "/hello"],
    ["v1", "/v1/hello"],
    ["/v1/", "/v1/hello"],
    ["api/v2", "/api/v2/hello"],
  ])("honours the route prefix %j", (prefix, path) => {
    expect(resolvedName(new RouteTable([httpFunction("hello")], prefix), "GET", path)).toBe("hello");
  });

  describe("ranking", () => {
    // Registered, and named, least specific first: the host would try them in name order.
    const functions = [
      httpFunction("aCatchAll", { route: "items/{*rest}", methods: ["GET"] }),
      httpFunction("bOptional", { route: "items/{name?}", methods: ["GET"] }),
      httpFunction("cParameter", { route: "items/{name}", methods: ["GET"] }),
      httpFunction("dConstrained", { route: "items/{id:int}", methods: ["GET"] }),
      httpFunction("eLiteral", { route: "items/latest", methods: ["GET"] }),
      httpFunction("fDeeper", { route: "items/{name}/details", methods: ["GET"] }),
    ];

    it.each([
      ["/api/items/latest", "eLiteral"],
      ["/api/ITEMS/LATEST", "eLiteral"],
      ["/api/items/42", "dConstrained"],
      ["/api/items/abc", "cParameter"],
      ["/api/items", "bOptional"],
      ["/api/items/abc/details", "fDeeper"],
      ["/api/items/abc/other", "aCatchAll"],
    ])("%s goes to %s whatever the registration order", (path, expected) => {
      expect(resolvedName(new RouteTable(functions, "api"), "GET", path)).toBe(expected);
      expect(resolvedName(new RouteTable([...functions].reverse(), "api"), "GET", path)).toBe(expected);
    });

    it("falls back to name order between routes of equal rank", () => {
      const table = new RouteTable([httpFunction("zeta", { route: "{a}/x" }), httpFunction("Alpha", { route: "{b}/x" })], "api");
      expect(resolvedName(table, "GET", "/api/q/x")).toBe("Alpha");
    });
  });

  describe("methods", () => {
    const table = new RouteTable(
      [
        httpFunction("CounterRead", { route: "counter/{id?}", methods: ["GET"] }),
        httpFunction("CounterUpdate", { route: "counter/{target}/{operation?}", methods: ["POST"] }),
        httpFunction("Anything", { route: "anything" }),
        httpFunction("Lower", { route: "lower", methods: ["put", "Delete"] }),
      ],
      "api",
    );

    it("picks the route that takes the method among those matching the path", () => {
      expect(resolvedName(table, "GET", "/api/counter/c1")).toBe("CounterRead");
      expect(resolvedName(table, "POST", "/api/counter/c1")).toBe("CounterUpdate");
      expect(resolvedName(table, "POST", "/api/counter/c1/add")).toBe("CounterUpdate");
    });

    it("answers 405 with the allowed methods when the path matches but the method does not", () => {
      expect(table.resolve("DELETE", "/api/counter/c1")).toEqual({ kind: "methodNotAllowed", allow: ["POST", "GET"] });
      expect(table.resolve("GET", "/api/counter/c1/add")).toEqual({ kind: "methodNotAllowed", allow: ["POST"] });
      expect(table.resolve("HEAD", "/api/counter")).toEqual({ kind: "methodNotAllowed", allow: ["GET"] });
    });

    it("compares methods case-insensitively", () => {
      expect(resolvedName(table, "PUT", "/api/lower")).toBe("Lower");
      expect(resolvedName(table, "delete", "/api/lower")).toBe("Lower");
    });

    it("lets a trigger without methods take every method", () => {
      for (const method of ["GET", "POST", "PATCH", "OPTIONS", "HEAD"]) expect(resolvedName(table, method, "/api/anything")).toBe("Anything");
    });

    it("answers 404 when no route matches the path", () => {
      expect(table.resolve("GET", "/api/nothing")).toEqual({ kind: "notFound" });
      expect(table.resolve("GET", "/api/counter//x")).toEqual({ kind: "notFound" });
    });
  });

  describe("refused routes", () => {
    it.each(["admin/x", "/Admin", "administrators", "runtime/webhooks/mine", "runtimeInfo"])("refuses %s, which is in the host's own route space", (route) => {
      const table = new RouteTable([httpFunction("Reserved", { route })], "api");
      expect(table.routes).toEqual([]);
      expect(table.errors).toEqual([{ functionName: "Reserved", message: "The specified route conflicts with one or more built in routes." }]);
    });

    it("refuses a second function on the same route and method, in name order", () => {
      const table = new RouteTable(
        [
          httpFunction("second", { route: "/Same/", methods: ["POST", "GET"] }),
          httpFunction("First", { route: "same", methods: ["GET"] }),
          httpFunction("other", { route: "same", methods: ["DELETE"] }),
          httpFunction("zAll", { route: "SAME" }),
        ],
        "api",
      );
      expect(table.routes.map((route) => route.fn.name).sort()).toEqual(["First", "other"]);
      expect(table.errors).toEqual([
        { functionName: "second", message: "The route specified conflicts with the route defined by function 'First'." },
        { functionName: "zAll", message: "The route specified conflicts with the route defined by function 'First'." },
      ]);
    });

    it("fails like the host's start-up for a template it cannot parse", () => {
      expect(() => new RouteTable([httpFunction("Broken", { route: "items/{id" })], "api")).toThrow(
        "An error occurred while creating the route with name 'Broken' and template 'api/items/{id'. There is an incomplete parameter",
      );
    });
  });
});
