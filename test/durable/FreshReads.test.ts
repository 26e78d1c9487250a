import { describe, expect, it } from "vitest";
import { FreshReads } from "../../src/durable/FreshReads.js";

/** A read whose end the test decides, numbered in the order the reads started. */
function controlledLoads(): { load: () => Promise<number>; started: number; finish: (index: number) => void } {
  const finishers: (() => void)[] = [];
  const state = {
    started: 0,
    load: (): Promise<number> => {
      const number = ++state.started;
      return new Promise<number>((resolve) => finishers.push(() => resolve(number)));
    },
    finish: (index: number): void => finishers[index]?.(),
  };
  return state;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("FreshReads", () => {
  it("runs at most two reads for any number of concurrent callers: the running one and the next", async () => {
    const reads = new FreshReads<number>();
    const loads = controlledLoads();
    const answers = Promise.all(Array.from({ length: 50 }, () => reads.read("a", loads.load)));
    loads.finish(0);
    await settle();
    loads.finish(1);
    expect(await answers).toEqual([1, ...Array.from({ length: 49 }, () => 2)]);
    expect(loads.started).toBe(2);
  });

  it("never hands a caller a read that started before it asked: latecomers share the next one", async () => {
    const reads = new FreshReads<number>();
    const loads = controlledLoads();
    const first = reads.read("a", loads.load);
    const late = Promise.all(Array.from({ length: 20 }, () => reads.read("a", loads.load)));
    await settle();
    expect(loads.started).toBe(1);
    loads.finish(0);
    expect(await first).toBe(1);
    await settle();
    expect(loads.started).toBe(2);
    loads.finish(1);
    expect(await late).toEqual(Array.from({ length: 20 }, () => 2));
  });

  it("keeps keys apart and shares a failure only with the callers of that read", async () => {
    const reads = new FreshReads<number>();
    const failing = reads.read("a", () => Promise.reject(new Error("503")));
    const other = reads.read("b", () => Promise.resolve(7));
    await expect(failing).rejects.toThrow("503");
    expect(await other).toBe(7);
    expect(await reads.read("a", () => Promise.resolve(8))).toBe(8);
  });
});
