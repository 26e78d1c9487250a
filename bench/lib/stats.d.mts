// Types for the tests of stats.mjs (the benchmarks themselves are plain JavaScript).
export function median(values: readonly number[]): number;
export function mean(values: readonly number[]): number;
export function round(value: number, digits?: number): number;
export interface RatioFigure {
  value: number;
  target?: number;
  direction?: "atMost" | "atLeast";
  pass: boolean | null;
}
export function ratioFigure(value: number, target?: number, direction?: "atMost" | "atLeast"): RatioFigure;
