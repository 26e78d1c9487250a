import { describe, expect, it } from "vitest";
import { useE2eTarget } from "./support/e2eTarget.js";
import { startAndCheck, startOrchestration } from "./support/app.js";
import { waitForCompletion } from "./support/durable.js";
import { expectJsonError } from "./support/http.js";

/** E1_HelloSequence, function chaining: README's output, followed through statusQueryGetUri. */

const target = useE2eTarget({ name: "hello", clock: "real" });

const CITIES_RULE = "The input must be a list of 1 to 20 city names.";

describe("E1_HelloSequence, chaining", { timeout: 60_000 }, () => {
  it("greets Tokyo, Seattle and London without a body", async () => {
    const payload = await startAndCheck(target, "E1_HelloSequence");
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status).toMatchObject({
      name: "E1_HelloSequence",
      instanceId: payload.id,
      runtimeStatus: "Completed",
      output: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"],
    });
    expect(Date.parse(status.lastUpdatedTime)).toBeGreaterThanOrEqual(Date.parse(status.createdTime));
  });

  it("greets the cities of a JSON body, in order", async () => {
    // As README's curl sends it: -d, so a form content type, which the starter ignores.
    const payload = await startAndCheck(target, "E1_HelloSequence", { data: '["Paris","Oslo"]' });
    const status = await waitForCompletion(payload.statusQueryGetUri);
    expect(status).toMatchObject({ input: ["Paris", "Oslo"], output: ["Hello Paris!", "Hello Oslo!"] });
  });

  it("chains twenty activities in order", async () => {
    const cities = Array.from({ length: 20 }, (_, index) => `City ${index + 1}`);
    const payload = await startAndCheck(target, "E1_HelloSequence", { json: cities });
    expect((await waitForCompletion(payload.statusQueryGetUri)).output).toEqual(cities.map((city) => `Hello ${city}!`));
  });

  it.each([
    ["an empty list", "[]", CITIES_RULE],
    ["21 cities", JSON.stringify(Array.from({ length: 21 }, () => "Oslo")), CITIES_RULE],
    ["an object", '{"city":"Oslo"}', CITIES_RULE],
    ["a blank city", '["Oslo","  "]', "Each city must be a non-empty string of at most 100 characters."],
    ["a number", "[1]", "Each city must be a non-empty string of at most 100 characters."],
  ])("refuses %s with 400 invalid_input", async (_, body, message) => {
    expectJsonError(await startOrchestration(target, "E1_HelloSequence", { data: body }), 400, "invalid_input", message);
  });
});
