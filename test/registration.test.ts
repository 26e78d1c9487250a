import { beforeAll, describe, expect, it } from "vitest";
import { loadApp, triggerOf, type RegisteredFunction } from "./support/functionsHost.js";
import { ActivityNames, EntityNames, OrchestratorNames, startableOrchestrators } from "../src/names.js";

/** The registration is the contract the Functions host sees: names, triggers, routes, methods, auth. */

const httpRoutes = [
  { name: "HttpStart", route: "orchestrators/{functionName}", methods: ["POST"] },
  { name: "HttpStartSingle", route: "orchestrators/{functionName}/{instanceId}", methods: ["POST"] },
  { name: "E3CounterOperation", route: "e3counter/{instanceId}/{op}", methods: ["POST"] },
  { name: "E3CounterValue", route: "e3counter/{instanceId}", methods: ["GET"] },
  { name: "CounterRead", route: "counter/{id?}", methods: ["GET"] },
  { name: "CounterUpdate", route: "counter/{target}/{operation?}", methods: ["POST"] },
  { name: "ApprovalStart", route: "approvals", methods: ["POST"] },
  { name: "ApprovalDecision", route: "approvals/{instanceId}/decision", methods: ["POST"] },
] as const;

let registry: ReadonlyMap<string, RegisteredFunction>;

beforeAll(async () => {
  registry = await loadApp();
});

function triggerTypeOf(name: string): string {
  const fn = registry.get(name);
  if (fn === undefined) throw new Error(`${name} is not registered`);
  return triggerOf(fn).type;
}

describe("function registration", () => {
  it("registers exactly the contract's functions and nothing else", () => {
    const expected = [
      ...Object.values(OrchestratorNames),
      ...Object.values(ActivityNames),
      ...Object.values(EntityNames),
      ...httpRoutes.map((route) => route.name),
    ].sort();
    expect([...registry.keys()].sort()).toEqual(expected);
  });

  it.each(Object.values(OrchestratorNames))("%s is an orchestration", (name) => {
    expect(triggerTypeOf(name)).toBe("orchestrationTrigger");
  });

  it.each(Object.values(ActivityNames))("%s is an activity", (name) => {
    expect(triggerTypeOf(name)).toBe("activityTrigger");
  });

  it("Counter is a durable entity", () => {
    expect(triggerTypeOf(EntityNames.counter)).toBe("entityTrigger");
  });

  it.each(httpRoutes)("$name answers $methods $route with function-level auth and a durable client", ({ name, route, methods }) => {
    const fn = registry.get(name);
    if (fn === undefined) throw new Error(`${name} is not registered`);
    const trigger = triggerOf(fn);
    expect(trigger).toMatchObject({ type: "httpTrigger", direction: "in", route, methods: [...methods], authLevel: "function" });
    const bindingTypes = Object.values(fn.bindings).map((binding) => binding.type);
    expect(bindingTypes).toContain("durableClient");
    expect(bindingTypes).toContain("http");
  });

  it("lets callers start only the public samples, never the internal orchestrators", () => {
    expect([...startableOrchestrators].sort()).toEqual(
      [OrchestratorNames.approval, OrchestratorNames.helloSequence, OrchestratorNames.backupSiteContent, OrchestratorNames.counter, OrchestratorNames.monitor].sort(),
    );
    expect(startableOrchestrators).not.toContain(OrchestratorNames.backupBatch);
    expect(startableOrchestrators).not.toContain(OrchestratorNames.counterEntityCall);
  });
});
