import type { HostLogger } from "../app/HostLogger.js";
import type { Clock } from "../clock/Clock.js";
import type { EntityRunner } from "../entities/EntityRunner.js";
import type { OrchestrationRunner } from "../orchestrations/OrchestrationRunner.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";

/** What the engine's processors share. */
export interface EngineParts {
  storage: TaskHubStorage;
  clock: Clock;
  logger: HostLogger;
  orchestrations: OrchestrationRunner;
  entities: EntityRunner;
}

/** How long a message that cannot be applied yet (an event for a suspended or not yet started instance) waits before it is looked at again. */
export const DEFER_SECONDS = 1;

/** How many message ids an execution start carries over from the execution before (enough for any redelivery). */
export const CARRIED_MESSAGE_IDS = 2000;
