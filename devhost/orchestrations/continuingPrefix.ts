/**
 * The SDK stops reading an episode's events once the orchestrator continues as new, and says
 * nothing of where. This finds it by replaying: the smallest number of the episode's resuming
 * events (between `low` and `high`, where `high` is known to continue) after which a replay already
 * continues as new. A binary search, so a batch of n events costs about log2(n) replays.
 */
export async function continuingPrefix(low: number, high: number, continuesAfter: (count: number) => Promise<boolean>): Promise<number> {
  let lower = low;
  let upper = high;
  while (lower < upper) {
    const middle = Math.floor((lower + upper) / 2);
    if (await continuesAfter(middle)) upper = middle;
    else lower = middle + 1;
  }
  return upper;
}
