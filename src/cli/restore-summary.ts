import { formatBytes, formatCount, formatDuration } from '../format-units';
import { RestoreReport, TableReport } from '../report';

function checksumMark(table: TableReport): string {
  if (table.checksumMatch === undefined) return '- not validated';
  if (table.checksumMatch) return '✓ checksum';
  // A successful restore fails on any table mismatch; a materialized view differs only when the
  // source's copy was stale, and the restored one was refreshed from the restored data.
  return table.kind === 'materialized view' ? '↻ refreshed (the source\'s copy was stale)' : '✗ checksum differs';
}

/**
 * The human summary printed after a restore: each schema and its new name, each table with its rows
 * and checksum verdict (✓/✗), how many sequences were set, the large objects copied, warnings and
 * the duration.
 *
 * @example
 * process.stdout.write(formatRestoreSummary(report));
 * // Restored 1 schema in 4.2 s (data as of 2024-01-28T14:30:00.000Z, restore id r-1)
 * //   customer_a1 → customer_a1_20240128143000
 * //     users      200 rows  ✓ checksum
 */
export function formatRestoreSummary(report: RestoreReport): string {
  const count = report.schemas.length;
  const lines = [
    `Restored ${count} schema${count === 1 ? '' : 's'} in ${formatDuration(report.durationMs)} ` +
      `(data as of ${report.restorePoint}, restore id ${report.restoreId})`,
  ];
  if (report.backup) lines.push(`  from backup ${report.backup.location}: every archive matched its sha256, every table the manifest's checksum`);
  for (const schema of report.schemas) {
    lines.push(`  ${schema.source} → ${schema.restored}`);
    const names = schema.tables.map((t) => (t.kind === 'table' ? t.name : `${t.name} (materialized view)`));
    const nameWidth = Math.max(0, ...names.map((n) => n.length));
    const rows = schema.tables.map((t) => `${formatCount(t.rows)} rows`);
    const rowsWidth = Math.max(0, ...rows.map((r) => r.length));
    schema.tables.forEach((table, i) => {
      lines.push(`    ${names[i].padEnd(nameWidth)}  ${rows[i].padStart(rowsWidth)}  ${checksumMark(table)}`);
    });
    const seqs = schema.sequences.length;
    lines.push(`    ${seqs} sequence${seqs === 1 ? '' : 's'} set`);
  }
  const objects = report.largeObjects;
  if (objects) lines.push(`  ${objects.count} large object${objects.count === 1 ? '' : 's'} (${formatBytes(objects.bytes)}) copied for the restored rows`);
  if (report.warnings.length) {
    lines.push('Warnings:', ...report.warnings.map((w) => `  ! ${w}`));
  }
  return `${lines.join('\n')}\n`;
}
