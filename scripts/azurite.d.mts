// Types for azurite.mjs, which the tests (TypeScript) and the benchmarks (plain Node) share.

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /**
   * A folder for Azurite's data (--location): the data outlives the process, so an Azurite started
   * again on the same folder and ports is the same storage account. In memory when not given.
   */
  location?: string;
  /** Fixed ports (free loopback ports when not given). */
  ports?: AzuritePorts;
}

export interface RunningAzurite {
  connectionString: string;
  /** The ports it listens on, to start it again on the same ones (same connection string). */
  ports: AzuritePorts;
  stop(): Promise<void>;
}

/** Three free loopback ports, for an Azurite that is to be restarted on the same ones. */
export function freeAzuritePorts(): Promise<AzuritePorts>;

export function startAzurite(options?: AzuriteOptions): Promise<RunningAzurite>;
