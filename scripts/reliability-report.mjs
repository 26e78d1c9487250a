// Runs the reliability suites (test/reliability, then the long ones) with RELIABILITY_FIGURES_DIR
// set, so each case records what it measured, and writes those figures into README.md between the
// reliability markers and into test/reliability/figures.json. Nothing is written if a case fails:
// the README only ever quotes figures from a run that passed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const BEGIN = "<!-- reliability-figures:begin (npm run reliability:report writes this part) -->";
const END = "<!-- reliability-figures:end -->";

const figuresDir = mkdtempSync(path.join(tmpdir(), "reliability-figures-"));
const env = { ...process.env, RELIABILITY_FIGURES_DIR: figuresDir };
const vitest = path.resolve("node_modules/.bin/vitest");

const runs = [
  ["run", "test/reliability"],
  ["run", "--config", "vitest.reliability.config.mts"],
];
const started = Date.now();
for (const args of runs) {
  const result = spawnSync(vitest, args, { env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`vitest ${args.join(" ")} failed (exit ${result.status ?? result.signal}); README.md left as it was.`);
    process.exit(1);
  }
}

const scenarios = readdirSync(figuresDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(path.join(figuresDir, name), "utf8")))
  .sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
if (scenarios.length === 0) {
  console.error("No case recorded any figures; README.md left as it was.");
  process.exit(1);
}

const formatValue = (value) => (typeof value === "number" ? value.toLocaleString("en-US") : String(value));
const rows = scenarios.map(
  (s) => `| ${s.id} | ${s.title} | ${Object.entries(s.figures).map(([k, v]) => `${k} ${formatValue(v)}`).join(" · ")} |`,
);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const section = [
  BEGIN,
  `Produced by \`npm run reliability:report\` on ${new Date().toISOString().slice(0, 10)} ` +
    `(Node ${process.version}, ${minutes} min, every case passed):`,
  "",
  "| # | Scenario | Figures |",
  "|---|---|---|",
  ...rows,
  END,
].join("\n");

const readme = readFileSync("README.md", "utf8");
const begin = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (begin === -1 || end === -1 || end < begin) {
  console.error("README.md has no reliability markers; the figures are in test/reliability/figures.json only.");
} else {
  writeFileSync("README.md", readme.slice(0, begin) + section + readme.slice(end + END.length));
}
writeFileSync("test/reliability/figures.json", `${JSON.stringify(scenarios, null, 2)}\n`);
console.log(section);
