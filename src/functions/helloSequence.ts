import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { ActivityNames, OrchestratorNames } from "../names.js";
import { validateCities } from "../logic/startInputs.js";

/** Function chaining: one activity after another, each result kept in the orchestration's history. */

export const defaultCities = ["Tokyo", "Seattle", "London"];

const helloSequence: OrchestrationHandler = function* (context: OrchestrationContext) {
  const cities = validateCities(context.df.getInput()) ?? defaultCities;
  const greetings: string[] = [];
  for (const city of cities) {
    greetings.push((yield context.df.callActivity(ActivityNames.sayHello, city)) as string);
  }
  return greetings;
};

export function sayHello(city: unknown): string {
  if (typeof city !== "string") throw new TypeError("E1_SayHello needs a city name.");
  return `Hello ${city}!`;
}

df.app.orchestration(OrchestratorNames.helloSequence, helloSequence);
df.app.activity(ActivityNames.sayHello, { handler: sayHello });
