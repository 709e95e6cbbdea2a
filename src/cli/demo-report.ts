import { formatCount } from '../format-units';

/** Rows of one table at the restore point, in the damaged live schema, and in the restored schema. */
export interface TableComparison {
  readonly table: string;
  readonly past: number;
  readonly live: number;
  readonly restored: number;
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
 * formatComparison([{ table: 'orders', past: 3000, live: 2017, restored: 3000 }], 'customer_a1_20240128143000');
 */
export function formatComparison(rows: readonly TableComparison[], restoredName: string): string {
  const header = ['table', 'at the restore point', 'live (damaged)', `restored (${restoredName})`];
  const body = rows.map((r) => [r.table, formatCount(r.past), formatCount(r.live), formatCount(r.restored)]);
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
