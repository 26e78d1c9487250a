// A hand-written line chart (no chart library): log-scaled axes, because the while loop's cost
// spans two orders of magnitude more than E3's and operations run from 10 to 10,000.

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { top: 48, right: 24, bottom: 56, left: 72 };
const COLOURS = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"];

/** Maps [min, max] onto [from, to] logarithmically. */
export function logScale([min, max], [from, to]) {
  const span = Math.log10(max) - Math.log10(min) || 1;
  return (value) => from + ((Math.log10(value) - Math.log10(min)) / span) * (to - from);
}

/** Powers of ten, and 2× and 5× of them, inside [min, max]: the usual log-axis ticks. */
export function logTicks([min, max]) {
  const ticks = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) {
    for (const step of [1, 2, 5]) {
      const tick = step * 10 ** power;
      if (tick >= min * 0.999 && tick <= max * 1.001) ticks.push(tick);
    }
  }
  return ticks;
}

const escapeXml = (text) => String(text).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]);
const label = (value) => (value >= 1000 ? `${value / 1000}k` : String(value));

/** `series`: [{ label, points: [[x, y], …] }], x and y > 0. */
export function logLogChart({ title, xLabel, yLabel, series }) {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xDomain = [Math.min(...xs), Math.max(...xs)];
  const yDomain = [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))];
  const x = logScale(xDomain, [MARGIN.left, WIDTH - MARGIN.right]);
  const y = logScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (const tick of logTicks(xDomain)) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${x(tick)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${label(tick)}</text>`);
  }
  for (const tick of logTicks(yDomain)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${label(tick)}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${WIDTH - MARGIN.left - MARGIN.right}" height="${HEIGHT - MARGIN.top - MARGIN.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 16}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const path = s.points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [px, py] of s.points) parts.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${colour}"/>`);
    const legendY = MARGIN.top + 16 + index * 18;
    parts.push(`<line x1="${MARGIN.left + 12}" x2="${MARGIN.left + 36}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<text x="${MARGIN.left + 42}" y="${legendY}">${escapeXml(s.label)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
