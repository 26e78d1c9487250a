import type { TableClient } from "@azure/data-tables";
import { storageTable } from "./storageClients.js";

/**
 * One row per singleton instance id in Azure Table storage. Inserting a row is atomic (a second
 * insert of the same key fails with 409) and replacing one can be made conditional on its ETag, so
 * of any number of concurrent starters exactly one wins the right to start a given id.
 */

export type ClaimState = "starting" | "started";

export interface SingletonClaim {
  instanceId: string;
  orchestrator: string;
  state: ClaimState;
  claimedAt: Date;
  etag: string;
}

interface ClaimEntity {
  partitionKey: string;
  rowKey: string;
  orchestrator: string;
  state: ClaimState;
  claimedAt: Date;
}

/**
 * Why a takeover lost: "changed" when someone else replaced the claim first (412), "released" when
 * it was deleted since it was read (404), which leaves the id unclaimed.
 */
export type TakeOverLoss = "changed" | "released";

const ROW_KEY = "claim";

export class SingletonClaims {
  constructor(private readonly table: TableClient) {}

  /**
   * The claims of one task hub, in the table `<taskHubName>SingletonClaims`. Pass the durable
   * client's taskHubName, the hub the extension actually uses, so that apps, slots or environments
   * with separate hubs in one storage account never share claims.
   */
  static async forTaskHub(taskHubName: string): Promise<SingletonClaims> {
    return new SingletonClaims(await storageTable(`${taskHubName}SingletonClaims`));
  }

  /** Creates the claim, "starting"; undefined when a claim for the id already exists. */
  async tryCreate(instanceId: string, orchestrator: string, now: Date): Promise<SingletonClaim | undefined> {
    try {
      const response = await this.table.createEntity<ClaimEntity>(this.entity(instanceId, orchestrator, now));
      return this.claim(instanceId, orchestrator, "starting", now, response.etag);
    } catch (error) {
      if (hasStatus(error, 409)) return undefined;
      throw error;
    }
  }

  /** The claim on the id; undefined when there is none. */
  async read(instanceId: string): Promise<SingletonClaim | undefined> {
    try {
      const row = await this.table.getEntity<ClaimEntity>(instanceId, ROW_KEY);
      return this.claim(instanceId, row.orchestrator, row.state, new Date(row.claimedAt), row.etag);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Replaces a claim that was read with `previous.etag` by a new "starting" one; or says why not:
   * "changed" when someone else replaced it first, "released" when it was deleted meanwhile.
   */
  async tryTakeOver(previous: SingletonClaim, orchestrator: string, now: Date): Promise<SingletonClaim | TakeOverLoss> {
    try {
      const response = await this.table.updateEntity(this.entity(previous.instanceId, orchestrator, now), "Replace", {
        etag: previous.etag,
      });
      return this.claim(previous.instanceId, orchestrator, "starting", now, response.etag);
    } catch (error) {
      if (hasStatus(error, 412)) return "changed";
      if (hasStatus(error, 404)) return "released";
      throw error;
    }
  }

  /** Records that the claimed start happened; a failure here only delays a later takeover. */
  async markStarted(claim: SingletonClaim): Promise<void> {
    await this.table.updateEntity({ partitionKey: claim.instanceId, rowKey: ROW_KEY, state: "started" }, "Merge", {
      etag: claim.etag,
    });
  }

  /** Gives the id back after a start that failed, unless someone has taken the claim over since. */
  async release(claim: SingletonClaim): Promise<void> {
    try {
      await this.table.deleteEntity(claim.instanceId, ROW_KEY, { etag: claim.etag });
    } catch (error) {
      if (!hasStatus(error, 412) && !hasStatus(error, 404)) throw error;
    }
  }

  private entity(instanceId: string, orchestrator: string, now: Date): ClaimEntity {
    return { partitionKey: instanceId, rowKey: ROW_KEY, orchestrator, state: "starting", claimedAt: now };
  }

  private claim(
    instanceId: string,
    orchestrator: string,
    state: ClaimState,
    claimedAt: Date,
    etag: string | undefined,
  ): SingletonClaim {
    if (etag === undefined) throw new Error("Table storage returned no ETag for the claim.");
    return { instanceId, orchestrator, state, claimedAt, etag };
  }
}

/**
 * The tables SDK's RestError, recognised by its shape: `instanceof` would need the SDK loaded when
 * this module loads, which storageClients.ts defers to first use.
 */
function hasStatus(error: unknown, status: number): boolean {
  return error instanceof Error && error.name === "RestError" && (error as { statusCode?: unknown }).statusCode === status;
}
