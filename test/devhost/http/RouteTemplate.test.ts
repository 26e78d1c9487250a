import { describe, expect, it } from "vitest";
import { parseRequestPath } from "../../../devhost/http/RequestPath.js";
import { RouteTemplate } from "../../../devhost/http/RouteTemplate.js";

/** Route templates as the Functions host (ASP.NET Core routing) reads and matches them. */

function match(template: string, path: string): Record<string, string> | undefined {
  const requestPath = parseRequestPath(path);
  return requestPath === undefined ? undefined : RouteTemplate.parse(template).match(requestPath);
}

describe("RouteTemplate matching", () => {
  it.each([
    // literals: case-insensitive, whole segments, trailing slash tolerated
    ["api/hello", "/api/hello", {}],
    ["api/hello", "/API/Hello", {}],
    ["api/hello", "/api/hello/", {}],
    ["api/hello", "/api/hello/x", undefined],
    ["api/hello", "/api/hell", undefined],
    ["api/hello", "/api", undefined],
    ["api/hello", "/api//hello", undefined],
    ["/api/hello", "/api/hello", {}],
    ["", "/", {}],
    // parameters
    ["api/items/{id}", "/api/items/42", { id: "42" }],
    ["api/items/{id}", "/api/items", undefined],
    ["api/items/{id}", "/api/items/42/more", undefined],
    ["api/{a}/{b}", "/api/x/y", { a: "x", b: "y" }],
    ["api/{Name}", "/api/Value", { Name: "Value" }],
    // optional parameters and defaults
    ["api/counter/{id?}", "/api/counter", {}],
    ["api/counter/{id?}", "/api/counter/", {}],
    ["api/counter/{id?}", "/api/counter/7", { id: "7" }],
    ["api/counter/{target}/{operation?}", "/api/counter/c1", { target: "c1" }],
    ["api/counter/{target}/{operation?}", "/api/counter/c1/add", { target: "c1", operation: "add" }],
    ["api/{a?}/{b?}", "/api", {}],
    // an optional parameter before a literal takes the segment the literal needed
    ["api/{a?}/fixed", "/api/fixed", undefined],
    ["api/{a?}/fixed", "/api/x/fixed", { a: "x" }],
    ["api/page/{n=1}", "/api/page", { n: "1" }],
    ["api/page/{n=1}", "/api/page/5", { n: "5" }],
    ["api/{lang=en}/{page=home}", "/api", { lang: "en", page: "home" }],
    ["api/{lang=en}/{page=home}", "/api/fr", { lang: "fr", page: "home" }],
    // catch-all
    ["api/files/{*path}", "/api/files/a/b/c.txt", { path: "a/b/c.txt" }],
    ["api/files/{**path}", "/api/files/a/b/", { path: "a/b/" }],
    ["api/files/{*path}", "/api/files", {}],
    ["api/files/{*path}", "/api/files/", {}],
    ["api/files/{*path=index.html}", "/api/files", { path: "index.html" }],
    ["{*all}", "/anything/at/all", { all: "anything/at/all" }],
    // segments mixing literals and parameters
    ["api/{name}.{ext}", "/api/report.pdf", { name: "report", ext: "pdf" }],
    ["api/{name}.{ext}", "/api/my.report.pdf", { name: "my.report", ext: "pdf" }],
    ["api/{name}.{ext}", "/api/report", undefined],
    ["api/{name}.{ext}", "/api/.pdf", undefined],
    ["api/{name}.{ext?}", "/api/report.pdf", { name: "report", ext: "pdf" }],
    ["api/{name}.{ext?}", "/api/report", { name: "report" }],
    ["api/v{version}", "/api/V2", { version: "2" }],
    ["api/v{version}", "/api/v", undefined],
    ["api/{from}-to-{to}", "/api/a-to-b-to-c", { from: "a-to-b", to: "c" }],
    ["api/file-{id}.json", "/api/FILE-9.JSON", { id: "9" }],
    // escaped braces are literal
    ["api/{{literal}}", "/api/{literal}", {}],
    // percent-decoding: decoded values, "%2F" kept as it is, dot segments resolved
    ["api/items/{id}", "/api/items/a%20b", { id: "a b" }],
    ["api/items/{id}", "/api/items/caf%C3%A9", { id: "café" }],
    ["api/items/{id}", "/api/items/a%2Fb", { id: "a%2Fb" }],
    ["api/items/{id}", "/api/items/%E0%A4%A", { id: "%E0%A4%A" }],
    ["api/caf%C3%A9", "/api/caf%C3%A9", undefined],
    ["api/café", "/api/caf%C3%A9", {}],
    ["api/items/{id}", "/api/other/../items/./5", { id: "5" }],
  ] as const)("%s against %s", (template, path, expected) => {
    expect(match(template, path)).toEqual(expected);
  });
});

describe("RouteTemplate inline constraints", () => {
  it.each([
    ["{v:int}", "42", true],
    ["{v:int}", "-42", true],
    ["{v:int}", "2147483647", true],
    ["{v:int}", "2147483648", false],
    ["{v:int}", "4.2", false],
    ["{v:int}", "abc", false],
    ["{v:long}", "9223372036854775807", true],
    ["{v:long}", "9223372036854775808", false],
    ["{v:alpha}", "Hello", true],
    ["{v:alpha}", "hello1", false],
    ["{v:bool}", "TRUE", true],
    ["{v:bool}", "yes", false],
    ["{v:guid}", "6f9619ff-8b86-d011-b42d-00c04fc964ff", true],
    ["{v:guid}", "6F9619FF8B86D011B42D00C04FC964FF", true],
    ["{v:guid}", "{6f9619ff-8b86-d011-b42d-00c04fc964ff}", true],
    ["{v:guid}", "(6f9619ff-8b86-d011-b42d-00c04fc964ff)", true],
    ["{v:guid}", "6f9619ff-8b86-d011-b42d-00c04fc964f", false],
    ["{v:decimal}", "1,234.50", true],
    ["{v:decimal}", "1e3", false],
    ["{v:double}", "1.5e3", true],
    ["{v:double}", "-Infinity", true],
    ["{v:double}", "e3", false],
    ["{v:float}", ".5", true],
    ["{v:float}", "one", false],
    ["{v:datetime}", "2024-02-29", true],
    ["{v:datetime}", "2024-02-29T13:45:10Z", true],
    ["{v:datetime}", "2023-02-29", false],
    ["{v:datetime}", "tomorrow", false],
    ["{v:min(10)}", "10", true],
    ["{v:min(10)}", "9", false],
    ["{v:max(10)}", "11", false],
    ["{v:range(1,5)}", "5", true],
    ["{v:range(1, 5)}", "6", false],
    ["{v:range(1,5)}", "x", false],
    ["{v:length(3)}", "abc", true],
    ["{v:length(3)}", "abcd", false],
    ["{v:length(2,4)}", "abcd", true],
    ["{v:length(2,4)}", "a", false],
    ["{v:minlength(2)}", "a", false],
    ["{v:maxlength(2)}", "abc", false],
    ["{v:regex(^\\d{{3}}-\\d{{4}}$)}", "555-1234", true],
    ["{v:regex(^\\d{{3}}-\\d{{4}}$)}", "5555-1234", false],
    ["{v:regex(^(red|green)$)}", "GREEN", true],
    ["{v:regex(a,b)}", "xa,by", true],
    ["{v:regex(^a:b$)}", "a:b", true],
    ["{v:int:min(5)}", "7", true],
    ["{v:int:min(5)}", "3", false],
    ["{v:alpha:length(2)}", "ab", true],
    ["{v:alpha:length(2)}", "a1", false],
    ["{v:required}", "x", true],
  ] as const)("%s with %s: %s", (parameter, value, matches) => {
    expect(match(`api/${parameter}`, `/api/${value}`) !== undefined).toBe(matches);
  });

  it("checks an optional parameter's constraints only when it has a value", () => {
    expect(match("api/{id:int?}", "/api")).toEqual({});
    expect(match("api/{id:int?}", "/api/5")).toEqual({ id: "5" });
    expect(match("api/{id:int?}", "/api/x")).toBeUndefined();
  });

  it("checks constraints against defaults too", () => {
    expect(match("api/{id:int=3}", "/api")).toEqual({ id: "3" });
    expect(match("api/{id:int=x}", "/api")).toBeUndefined();
  });

  it("checks a catch-all's constraints against the whole rest", () => {
    expect(match("api/{*rest:minlength(5)}", "/api/a/b/c")).toEqual({ rest: "a/b/c" });
    expect(match("api/{*rest:minlength(6)}", "/api/a/b/c")).toBeUndefined();
  });
});

describe("RouteTemplate parsing", () => {
  it("reads the parts of each parameter", () => {
    const template = RouteTemplate.parse("api/{id:int:range(1,9)}/{name=x}/{opt?}/{*rest}");
    const parameters = template.segments.flat().filter((part) => part.kind === "parameter");
    expect(parameters.map(({ name, optional, catchAll, defaultValue }) => ({ name, optional, catchAll, defaultValue }))).toEqual([
      { name: "id", optional: false, catchAll: false, defaultValue: undefined },
      { name: "name", optional: false, catchAll: false, defaultValue: "x" },
      { name: "opt", optional: true, catchAll: false, defaultValue: undefined },
      { name: "rest", optional: false, catchAll: true, defaultValue: undefined },
    ]);
    expect(parameters[0]?.constraints.map((constraint) => constraint.text)).toEqual(["int", "range(1,9)"]);
  });

  it("keeps colons, commas and parentheses inside a regex argument", () => {
    const [segment] = RouteTemplate.parse("{v:regex(^(a|b)c:d,e$):minlength(2)}").segments;
    const parameter = segment?.[0];
    expect(parameter?.kind === "parameter" ? parameter.constraints.map((constraint) => constraint.text) : []).toEqual(["regex(^(a|b)c:d,e$)", "minlength(2)"]);
  });

  it.each([
    ["api//x", "cannot appear consecutively"],
    ["api/{id", "incomplete parameter"],
    ["api/id}", "incomplete parameter"],
    ["api/{a{b}", "must be escaped"],
    ["api/{}", "The route parameter name '' is invalid"],
    ["api/{a}/{A}", "The route parameter name 'A' appears more than one time"],
    ["api/{*rest}/more", "A catch-all parameter can only appear as the last segment"],
    ["api/x{*rest}", "cannot contain a catch-all parameter"],
    ["api/{*rest?}", "A catch-all parameter cannot be marked optional."],
    ["api/{id=5?}", "An optional parameter cannot have default value."],
    ["api/{a}{b}", "cannot contain two consecutive parameters"],
    ["api/{a?}.{b}", "An optional parameter must be at the end of the segment"],
    ["api/{a}-{b?}", "Only a period (.) can precede an optional parameter."],
    ["api/what?", "Literal sections cannot contain the '?' character."],
    ["api/{id:unknown}", "The constraint reference 'unknown' could not be resolved to a type."],
    ["api/{id:range(1)}", "with the following number of parameters: 1"],
    ["api/{id:min(x)}", "is not a valid Int64"],
    ["api/{id:length(5,2)}", "should be less than or equal to"],
    // as in ASP.NET Core, ")" before ":" ends the argument, which leaves this regex unbalanced
    ["api/{v:regex(^(a|b):c$)}", "Invalid regular expression"],
  ])("refuses %s", (template, message) => {
    expect(() => RouteTemplate.parse(template)).toThrow(message);
  });

  it.each([
    ["api/items", [1, 1]],
    ["api/items/{id:int}", [1, 1, 2]],
    ["api/items/{id}", [1, 1, 3]],
    ["api/items/{id?}", [1, 1, 4]],
    ["api/items/{id=1}", [1, 1, 4]],
    ["api/items/{*rest}", [1, 1, 5]],
    ["api/{name}.{ext}", [1, 2]],
  ] as const)("ranks %s as %j", (template, ranks) => {
    expect(RouteTemplate.parse(template).ranks).toEqual(ranks);
  });
});
