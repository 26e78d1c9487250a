// Replay cost per operation of the eternal counter: the app's real E3_Counter (ContinueAsNew keeps
// each generation's history short) against the same counter as a while loop that never continues
// as new (its history, and so every replay, grows with every operation). Both run through the local
// host's OrchestrationRunner and the SDK's registered handler, with the histories the host commits.
import { performance } from "node:perf_hooks";
import { InMemoryInstance } from "./lib/InMemoryInstance.mjs";
import { loadApp, orchestrationRunner, timingInvoker } from "./lib/appHarness.mjs";
import { check, runAsFamily } from "./lib/family.mjs";
import { mean, median, ratioFigure, round } from "./lib/stats.mjs";
import { registerWhileLoopCounter, WHILE_LOOP_COUNTER } from "./whileLoopCounter.mjs";

/** Each names the block of WINDOW operations that contains it (10: operations 1–50; 10,000: 9,951–10,000). */
const CHECKPOINTS = [10, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];
/** Quick mode stops here: E3 is driven one operation per episode, about a millisecond each. */
const QUICK_LAST_CHECKPOINT = 1_000;
/** Operations averaged per checkpoint, one episode each: one E3 generation under load (E3_LIMITS.newOperationsPerGeneration). */
const WINDOW = 50;
/** Virtual time between operations: 100 operations/s, so E3's one-second idle timer never fires mid-generation. */
const SPACING_MS = 10;
/** Each measured episode is replayed this often without committing, then once for real; the median of all is kept. */
const REPEATS = 3;
/** The while loop gets from one window to the next in episodes of this many operations (see fastForward). */
const FAST_FORWARD_BATCH = 500;
/** Operations run on a throwaway instance first, so that the first checkpoint is not timing the JIT. */
const WARM_UP_OPERATIONS = 250;

const SERIES = [
  { key: "e3Counter", label: "E3_Counter (ContinueAsNew)", orchestrator: "E3_Counter", payload: () => "incr", canBatch: false },
  {
    key: "e3CounterWithIds",
    label: "E3_Counter, exactly-once ids",
    orchestrator: "E3_Counter",
    // What the exactly-once endpoint raises: every id is remembered (10 min, at most 2,000) and carried across generations.
    payload: (operation) => ({ op: "incr", id: `op-${operation}` }),
    canBatch: false,
  },
  // Batching is safe here: the loop never continues as new, so no event of a batch is ever dropped.
  { key: "whileLoop", label: "while loop (no ContinueAsNew)", orchestrator: WHILE_LOOP_COUNTER, payload: () => "incr", canBatch: true },
];

runAsFamily(import.meta.url, async ({ quick }) => {
  const app = await loadApp(async () => registerWhileLoopCounter());
  const invoker = timingInvoker(app);
  const runner = orchestrationRunner(invoker);
  const checkpoints = CHECKPOINTS.filter((operations) => !quick || operations <= QUICK_LAST_CHECKPOINT);
  const series = [];
  for (const definition of SERIES) {
    await driveCounter(runner, invoker, definition, [WARM_UP_OPERATIONS]);
    const started = performance.now();
    const points = await driveCounter(runner, invoker, definition, checkpoints);
    series.push({ key: definition.key, label: definition.label, wallSeconds: round((performance.now() - started) / 1000), points });
  }
  const costAt = (key, operations) => series.find((s) => s.key === key).points.find((p) => p.operations === operations).costUs;
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  return {
    checkpoints,
    windowOperations: WINDOW,
    series,
    ratios: {
      e3Counter: ratioFigure(costAt("e3Counter", last) / costAt("e3Counter", first), 1.5),
      e3CounterWithIds: ratioFigure(costAt("e3CounterWithIds", last) / costAt("e3CounterWithIds", first)),
      whileLoop: ratioFigure(costAt("whileLoop", last) / costAt("whileLoop", first)),
    },
    ratioOperations: [first, last],
  };
});

/**
 * Drives one counter instance through `checkpoints` operations. The cost at checkpoint N is the
 * orchestrator's handler time per operation over the block of WINDOW operations that contains N,
 * each its own episode, ContinueAsNew restarts included: an E3 operation's cost depends on where in
 * its generation it falls (the 10th of a generation replays 10 operations, the 50th replays 50 and
 * continues as new), so the cost of a ContinueAsNew design is the cost amortised over a generation.
 * The single episode that handles operation N is kept too.
 */
async function driveCounter(runner, invoker, definition, checkpoints) {
  const instance = new InMemoryInstance(runner, `bench-${definition.key}-${checkpoints.at(-1)}`);
  await instance.start(definition.orchestrator, 0);
  const operation = (number) => instance.eventMessage("operation", definition.payload(number));
  let handled = 0;
  const points = [];
  for (const checkpoint of checkpoints) {
    const blockStart = Math.floor((checkpoint - 1) / WINDOW) * WINDOW;
    if (blockStart < handled) throw new Error(`Checkpoint ${checkpoint} falls in a block already measured.`);
    handled = definition.canBatch ? await fastForward(instance, operation, handled, blockStart) : await oneByOne(instance, operation, handled, blockStart);
    const blockCosts = [];
    let episodeMs = 0;
    while (handled < blockStart + WINDOW) {
      handled += 1;
      instance.advance(SPACING_MS);
      const messages = [operation(handled)];
      const samples = await dryRunTimes(instance, invoker, messages);
      const result = await timed(invoker, () => instance.episode(messages), samples);
      const restartMs = await timed(invoker, () => instance.restartIfContinued(result));
      if (handled === checkpoint) episodeMs = median(samples);
      blockCosts.push(median(samples) + restartMs);
    }
    check(valueOf(instance) === handled, `${definition.label} shows ${valueOf(instance)} after ${handled} increments`);
    points.push({
      operations: checkpoint,
      block: [blockStart + 1, handled],
      historyEvents: instance.history.length,
      generations: instance.generations,
      costUs: round(mean(blockCosts) * 1000, 1),
      episodeUs: round(episodeMs * 1000, 1),
    });
  }
  return points;
}

/** E3 must take its operations one per episode: a ContinueAsNew drops the rest of its batch. */
async function oneByOne(instance, operation, handled, target) {
  while (handled < target) {
    handled += 1;
    instance.advance(SPACING_MS);
    await instance.handle([operation(handled)]);
  }
  return handled;
}

/**
 * The while loop's replays grow linearly, so running 10,000 single-operation episodes would take
 * minutes. Between blocks it takes its operations in larger batches: each still adds its own
 * EventRaised, but the batch shares one OrchestratorStarted/Completed pair, so its history is
 * shorter than one-episode-per-operation would make it and the figures flatter it, if anything.
 */
async function fastForward(instance, operation, handled, target) {
  while (handled < target) {
    const count = Math.min(FAST_FORWARD_BATCH, target - handled);
    const messages = Array.from({ length: count }, (_, index) => operation(handled + index + 1));
    instance.advance(SPACING_MS);
    await instance.handle(messages);
    handled += count;
  }
  return handled;
}

/** The same episode replayed REPEATS times without committing it: the history stays as it was. */
async function dryRunTimes(instance, invoker, messages) {
  const times = [];
  for (let repeat = 0; repeat < REPEATS; repeat += 1) await timed(invoker, () => instance.dryRun(messages), times);
  return times;
}

/** Runs `work`; returns the handler time it took (and appends it to `into`), or its result when `into` is given. */
async function timed(invoker, work, into) {
  const before = invoker.handlerMs;
  const result = await work();
  const elapsed = invoker.handlerMs - before;
  if (into === undefined) return elapsed;
  into.push(elapsed);
  return result;
}

/** The counter's value as its custom status shows it (both counters publish { value }). */
function valueOf(instance) {
  const customStatus = instance.lastResult?.instance.customStatus;
  return customStatus === undefined ? undefined : JSON.parse(customStatus).value;
}
