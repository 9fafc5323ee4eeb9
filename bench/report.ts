import type { LoadResult } from './load';

export interface Row {
  scenario: string;
  result: LoadResult;
  /** The row this one is compared with (req/s ratio); none for a baseline. */
  baseline?: Row;
}

/** A row for a figure measured without per-request latencies (a TPS, a rate of tokens). */
export const nanResult = (perSecond: number, requests: number, elapsedMs: number): LoadResult => ({
  requests,
  ok: requests,
  errors: 0,
  statuses: {},
  elapsedMs,
  perSecond,
  p50: Number.NaN,
  p99: Number.NaN,
  max: Number.NaN,
});

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');

/** The requests/s ratio of `row` to its baseline (NaN without one). */
export function ratio(row: Row): number {
  return row.baseline ? row.result.perSecond / row.baseline.result.perSecond : Number.NaN;
}

/** An aligned text table: scenario, requests, errors, req/s, p50/p99/max latency, ratio vs baseline. */
export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'vs baseline'];
  const baselines = new Set(rows.map((row) => row.baseline));
  const compared = (row: Row) =>
    row.baseline ? `${ratio(row).toFixed(2)} × ${row.baseline.scenario}` : baselines.has(row) ? 'baseline' : '-';
  const body = rows.map((row) => [
    row.scenario,
    String(row.result.requests),
    String(row.result.errors),
    row.result.perSecond.toFixed(0),
    ms(row.result.p50),
    ms(row.result.p99),
    ms(row.result.max),
    compared(row),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 || column === 7 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}
