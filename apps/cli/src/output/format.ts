/** Formatting shared by the human reports (the `--json` reports keep raw values). */

/** An instant and how far it is from now: `2026-01-01T10:00:00.000Z (in 30 min)`, or `-` for none. */
export function when(date: Date | string | null, now = Date.now()): string {
  if (date === null) {
    return '-';
  }
  const at = new Date(date);
  const delta = at.getTime() - now;
  const minutes = Math.round(Math.abs(delta) / 60_000);
  const span = minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return `${at.toISOString()} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

/** A plain-text table with padded columns, as one multi-line string. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [format(headers), format(widths.map((width) => '-'.repeat(width))), ...rows.map(format)].join('\n');
}
