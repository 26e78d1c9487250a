import type { HostLogger } from "../app/HostLogger.js";
import type { EntityRecord, OrchestrationState } from "../storage/records.js";
import type { CommittedStates } from "./CommittedStates.js";
import type { Clock } from "../clock/Clock.js";
import type { EntityRunner } from "../entities/EntityRunner.js";
import type { OrchestrationRunner } from "../orchestrations/OrchestrationRunner.js";
import type { TaskHubStorage } from "../storage/TaskHubStorage.js";
import type { HiddenMessages } from "./HiddenMessages.js";
import type { SentOutboxes } from "./SentOutboxes.js";

/** What the engine's processors share. */
export interface EngineParts {
  storage: TaskHubStorage;
  clock: Clock;
  logger: HostLogger;
  orchestrations: OrchestrationRunner;
  entities: EntityRunner;
  sentOutboxes: SentOutboxes;
  hiddenMessages: HiddenMessages;
  /** How long a taken message stays hidden: the longest a crashed host's messages take to come back. */
  leaseSeconds: number;
  /** What this process committed last per orchestration, so that an episode need not read its history again. */
  committedHistories: CommittedStates<OrchestrationState>;
  /** What this process committed last per entity, so that a batch need not read the entity's row again. */
  committedEntities: CommittedStates<EntityRecord>;
}
