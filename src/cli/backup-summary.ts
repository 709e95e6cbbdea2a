import { BackupResult } from '../backups/backup-database';
import { formatBytes, formatCount, formatDuration } from '../format-units';

const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * The human summary printed after a backup: where the run is, the snapshot's time (the restore
 * point), one line per schema with its archive's size, tables and rows, then the total and how long
 * the backup took (from the manifest's start and finish).
 *
 * @example
 * process.stdout.write(formatBackupSummary(result));
 * // Backed up 2 schemas of app in 3.1 s to s3://backups/nightly/app/2026-11-27T190212Z/
 * //   data as of 2026-11-27T19:02:12.345Z
 * //   customer_a1  1.2 MB  3 tables  1,250 rows
 * //   customer_a2  0.9 MB  3 tables    980 rows
 * //   total        2.1 MB  6 tables  2,230 rows
 */
export function formatBackupSummary(result: BackupResult): string {
  const { manifest } = result;
  const durationMs = Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt);
  const rowsOf = (s: (typeof manifest.schemas)[number]): number => s.relations.reduce((n, r) => n + (r.kind === 'table' ? r.rows ?? 0 : 0), 0);
  const tablesOf = (s: (typeof manifest.schemas)[number]): number => s.relations.filter((r) => r.kind === 'table').length;
  const rows = manifest.schemas.map((s) => [s.name, formatBytes(s.bytes), plural(tablesOf(s), 'table'), plural(rowsOf(s), 'row')]);
  rows.push(['total', formatBytes(manifest.schemas.reduce((n, s) => n + s.bytes, 0)),
    plural(manifest.schemas.reduce((n, s) => n + tablesOf(s), 0), 'table'), plural(manifest.schemas.reduce((n, s) => n + rowsOf(s), 0), 'row')]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((r) => r[column].length)));
  const lines = [
    `Backed up ${plural(manifest.schemas.length, 'schema')} of ${manifest.database} in ${formatDuration(durationMs)} to ${result.location}`,
    `  data as of ${manifest.snapshotAt}`,
    ...rows.map((r) => `  ${r.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('  ')}`),
    ...result.warnings.map((w) => `  ⚠ ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
