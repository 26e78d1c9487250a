/** Instances whose last committed state is kept; an eternal orchestration's history is short, a fan-in's can be long. */
const MAX_INSTANCES = 1000;

/**
 * What this process last committed per instance (an orchestration's history and checkpoint, an
 * entity's row), as a read of storage would return it, so that the next episode or entity batch of
 * the instance need not read (and parse) it again. For orchestrations that read was one table query
 * per episode, and for a fan-in a query of every row so far: a fan-out of N activities read O(N²)
 * rows. The host is the only writer of its task hub (one host per hub) and runs one episode or batch
 * per instance at a time, so what it committed is what storage holds:
 *
 * - an entry is taken (removed) when an episode starts and put back only after its commit, so an
 *   episode that fails anywhere leaves none, and the next one reads storage again;
 * - a purge, a deleted entity or a deleted task hub forgets it (TaskHubStorage reports them);
 * - a new process starts empty, so after a crash everything is read from storage.
 *
 * Entries are plain JSON data, as a read would give them; the least recently committed go first.
 */
export class CommittedStates<State> {
  private readonly states = new Map<string, State>();

  /** The committed state, if this process committed the instance's last change; the entry is gone until `remember`. */
  take(instanceId: string): State | undefined {
    const state = this.states.get(instanceId);
    this.states.delete(instanceId);
    return state;
  }

  remember(instanceId: string, state: State): void {
    this.states.delete(instanceId);
    this.states.set(instanceId, state);
    if (this.states.size > MAX_INSTANCES) {
      const oldest = this.states.keys().next();
      if (oldest.done !== true) this.states.delete(oldest.value);
    }
  }

  /** Purged or deleted (or, without an id, the whole task hub deleted). */
  forget(instanceId?: string): void {
    if (instanceId === undefined) this.states.clear();
    else this.states.delete(instanceId);
  }
}
