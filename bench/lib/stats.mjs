// Small statistics for noisy measurements: medians rather than means where one outlier (a GC
// pause, another engineer's build on the shared machine) would otherwise decide the figure.

export function median(values) {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function mean(values) {
  if (values.length === 0) throw new Error("mean of nothing");
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Rounds for display and for results.json: enough digits to compare runs, no false precision. */
export function round(value, digits = 3) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A ratio with its target: `pass` is null when the figure has no target. */
export function ratioFigure(value, target, direction = "atMost") {
  const pass = target === undefined ? null : direction === "atMost" ? value <= target : value >= target;
  return { value: round(value), ...(target === undefined ? {} : { target, direction }), pass };
}
