import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The numbers a reliability case measured (operations sent, confirmed, lost; 4xx and 5xx counts;
 * crashes survived), kept for README's reliability section. `npm run reliability:report` sets
 * RELIABILITY_FIGURES_DIR, runs the suites and renders what the cases recorded there; an ordinary
 * `npm test` leaves it unset and records nothing.
 */

export type FigureValue = number | string | boolean;

export interface ScenarioFigures {
  /** Sorts the README's rows: "1.1", "1.2", "4.3", after the numbering. */
  id: string;
  /** What was done, in a few words: "500 incr + 200 decr through the E3 endpoint". */
  title: string;
  /** In the order they should read: { sent: 700, confirmed: 700, lost: 0 }. */
  figures: Record<string, FigureValue>;
}

export function recordFigures(scenario: ScenarioFigures): void {
  const directory = process.env.RELIABILITY_FIGURES_DIR;
  if (directory === undefined || directory === "") return;
  mkdirSync(directory, { recursive: true });
  const fileName = `${scenario.id.replace(/[^0-9A-Za-z.-]/g, "_")}.json`;
  writeFileSync(path.join(directory, fileName), `${JSON.stringify({ ...scenario, recordedAt: new Date().toISOString() }, null, 2)}\n`);
}
