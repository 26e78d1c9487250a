import { beforeAll, describe, expect, it } from "vitest";
import { invocationContext, loadApp, registeredFunction, type LogLine } from "../support/functionsHost.js";
import { ActivityNames } from "../../src/names.js";

/** E1_SayHello through the SDK's activity wrapper, as the worker calls it. */

async function sayHello(input: unknown): Promise<unknown> {
  const fn = registeredFunction(ActivityNames.sayHello);
  const logs: LogLine[] = [];
  return await fn.handler(input, invocationContext(fn, logs));
}

beforeAll(async () => {
  await loadApp();
});

describe("E1_SayHello", () => {
  it("greets the city", async () => {
    await expect(sayHello("Tokyo")).resolves.toBe("Hello Tokyo!");
  });

  it.each([[undefined], [null], [42], [["Tokyo"]], [{ city: "Tokyo" }]])("refuses the non-string input %j", async (input) => {
    await expect(sayHello(input)).rejects.toThrow(new TypeError("E1_SayHello needs a city name."));
  });
});
