import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A goal from an issue: a ratio to the baseline at least `min`, or a value at most `max`. */
export type Goal = { ratioAtLeast: number } | { atMost: number };

/** One line of the report: Hourglass's figure beside the baseline measured in the same run. */
export interface Metric {
  metric: string;
  unit: string;
  hourglass: number;
  baseline?: { name: string; value: number };
  goal?: Goal;
  /** Why the figure is missing or partial (e.g. "needs BENCH_DATABASE_URL"). */
  note?: string;
}

const figure = (value: number, unit: string) =>
  Number.isFinite(value) ? `${value >= 100 ? value.toFixed(0) : value.toFixed(2)} ${unit}` : '-';

export function ratioOf(metric: Metric): number {
  return metric.baseline ? metric.hourglass / metric.baseline.value : Number.NaN;
}

function goalText(goal: Goal | undefined, unit: string): string {
  if (goal === undefined) {
    return '-';
  }
  // A goal taken from a measurement (the peer's p99) is shown to two decimals.
  return 'ratioAtLeast' in goal ? `ratio ≥ ${goal.ratioAtLeast}` : `≤ ${Number(goal.atMost.toFixed(2))} ${unit}`;
}

export function met(metric: Metric): string {
  const { goal } = metric;
  if (goal === undefined) {
    return '-';
  }
  if (!Number.isFinite(metric.hourglass)) {
    return 'not measured';
  }
  const ok = 'ratioAtLeast' in goal ? ratioOf(metric) >= goal.ratioAtLeast : metric.hourglass <= goal.atMost;
  return ok ? 'met' : 'NOT met';
}

function cells(metric: Metric): string[] {
  const ratio = ratioOf(metric);
  return [
    metric.metric,
    figure(metric.hourglass, metric.unit),
    metric.baseline ? `${figure(metric.baseline.value, metric.unit)} (${metric.baseline.name})` : '-',
    Number.isFinite(ratio) ? ratio.toFixed(2) : '-',
    goalText(metric.goal, metric.unit),
    metric.note === undefined ? met(metric) : `${met(metric)} (${metric.note})`,
  ];
}

const HEADER = ['metric', 'Hourglass', 'baseline (same run)', 'ratio', 'goal', 'met'];

/** The report as an aligned text table, for the terminal. */
export function formatSummary(metrics: Metric[]): string {
  const rows = metrics.map(cells);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, written to `path` (bench/results/latest.md; not committed). */
export function writeMarkdown(path: string, title: string, metrics: Metric[]): void {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const table = [HEADER, HEADER.map(() => '---'), ...metrics.map(cells)]
    .map((row) => `| ${row.map(escape).join(' | ')} |`)
    .join('\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `# ${title}\n\n${table}\n`);
}
