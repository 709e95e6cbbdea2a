/**
 * Rows of cells as aligned text lines (every column but the last padded to its widest cell), each
 * indented by two spaces, for tables printed to people.
 *
 * @example
 * alignColumns([['keep', 'app', 'daily snapshot'], ['delete', 'app', 'no keep rule selects it']]);
 * // ['  keep    app  daily snapshot', '  delete  app  no keep rule selects it']
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
}
