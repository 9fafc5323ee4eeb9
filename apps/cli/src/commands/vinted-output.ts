/** Shared formatting of the `vinted` commands' reports (stdout; never a token). */
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

export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A plain-text table with padded columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [format(headers), format(widths.map((width) => '-'.repeat(width))), ...rows.map(format)].join('\n');
}
