import type { TestProject } from "vitest/node";
import type {} from "vitest";
import { startAzurite } from "../../scripts/azurite.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** One Azurite for the whole run; tests that need storage read its connection string with inject(). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
