// Types for the tests of svg.mjs (the benchmarks themselves are plain JavaScript).
export function logScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number;
export function logTicks(domain: readonly [number, number]): number[];
export interface ChartSeries {
  label: string;
  points: readonly (readonly [number, number])[];
}
export function logLogChart(chart: { title: string; xLabel: string; yLabel: string; series: readonly ChartSeries[] }): string;
