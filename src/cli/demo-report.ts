import { formatCount } from '../format-units';

/** Rows of one table at the restore point, in the damaged live schema, restored as of then, and restored from the older tenant backup. */
export interface TableComparison {
  readonly table: string;
  readonly atRestorePoint: number;
  readonly live: number;
  readonly restored: number;
  readonly fromBackup: number;
}

/** Whether a schema the restore must not touch still has identical tables. */
export interface UntouchedCheck {
  readonly database: string;
  readonly schema: string;
  readonly tables: number;
  /** Tables whose rows or content changed during the restore (empty: untouched). */
  readonly changedTables: readonly string[];
}

/**
 * The live-vs-restored table of the demo, one row per table.
 *
 * @example
 * formatComparison([{ table: 'orders', atRestorePoint: 3025, live: 2017, restored: 3025, fromBackup: 3000 }]);
 */
export function formatComparison(rows: readonly TableComparison[]): string {
  const header = ['table', 'at T', 'live (damaged)', 'restored as of T', 'from the backup'];
  const body = rows.map((r) => [r.table, formatCount(r.atRestorePoint), formatCount(r.live), formatCount(r.restored), formatCount(r.fromBackup)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const render = (cells: string[]): string => `    ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`;
  return [render(header), ...body.map(render)].join('\n');
}

/**
 * One line per schema saying whether the restore left it untouched.
 *
 * @example
 * formatUntouched([{ database: 'tenant_b', schema: 'customer_b1', tables: 5, changedTables: [] }]);
 * // '    ✓ tenant_b.customer_b1: 5 tables unchanged'
 */
export function formatUntouched(checks: readonly UntouchedCheck[]): string {
  return checks.map((c) => (c.changedTables.length
    ? `    ✗ ${c.database}.${c.schema}: changed: ${c.changedTables.join(', ')}`
    : `    ✓ ${c.database}.${c.schema}: ${c.tables} tables unchanged`)).join('\n');
}
