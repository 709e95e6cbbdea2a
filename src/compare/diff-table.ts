import type { ClientBase } from 'pg';
import { classifyRowsSql, TableComparison } from './classify-rows';
import type { RowCategory, RowKey, TableDiff } from './diff-result';

/** Options of {@link diffTable}. */
export interface DiffTableOptions {
  /** Keys (or rows, without a key) to return per category. @default 5 */
  readonly samples?: number;
}

interface CategoryRow {
  category: RowCategory;
  n: string;
  sample: RowKey;
}

/**
 * A key value as JSON that survives JSON.parse exactly: bigint and numeric as their text (pg's own
 * way with int8), since a JSON number above 2^53 or with many digits would come back rounded.
 */
function exactJson(value: string): string {
  return `CASE WHEN pg_typeof(${value}) IN ('bigint'::regtype, 'numeric'::regtype) THEN to_jsonb(${value}::text) ELSE to_jsonb(${value}) END`;
}

/** Counts per category and the first `samples` keys of each, from one pass over both tables. */
function countsAndSamplesSql(comparison: TableComparison): string {
  const keys = comparison.key.columns.map((_, i) => `k${i + 1}`);
  // Samples by smallest key; rows without a key have no order worth a sort of every differing row.
  const order = comparison.key.kind === 'row' ? '' : ` ORDER BY ${keys.join(', ')}`;
  const sample = `jsonb_build_object(${keys.map((k, i) => `$${i + 2}::text, ${exactJson(k)}`).join(', ')})`;
  return `SELECT category, n::text AS n, ${sample} AS sample
  FROM (SELECT c.*, count(*) OVER (PARTITION BY category) AS n, row_number() OVER (PARTITION BY category${order}) AS rn
          FROM (${classifyRowsSql(comparison)}) AS c) AS w
 WHERE rn <= greatest($1::int, 1)`;
}

/**
 * Compare one table of the live schema with its restored twin inside the server: rows deleted,
 * added and changed since the restore point, counted, with a few sample keys each (smallest
 * first). One query, one pass over both tables; only the differing rows are sorted, and the server
 * spills to disk rather than growing memory, whatever the table size. Run it in a REPEATABLE READ
 * transaction to have both sides at one instant.
 *
 * @example
 * const diff = await diffTable(client, { live: 'customer_a1', restored: 'customer_a1_20240128143000', match, key }, { samples: 3 });
 * console.log(diff.deleted, diff.samples.deleted); // 2 [{ id: 17 }, { id: 18 }] (a bigint or numeric key: { id: '17' })
 */
export async function diffTable(client: ClientBase, comparison: TableComparison, options: DiffTableOptions = {}): Promise<TableDiff> {
  const samples = options.samples ?? 5;
  const { rows } = await client.query<CategoryRow>(countsAndSamplesSql(comparison), [samples, ...comparison.key.columns]);
  const counts: Record<RowCategory, number> = { deleted: 0, added: 0, changed: 0 };
  const found: Record<RowCategory, RowKey[]> = { deleted: [], added: [], changed: [] };
  for (const row of rows) {
    counts[row.category] = Number(row.n);
    if (found[row.category].length < samples) found[row.category].push(row.sample);
  }
  const { match, key } = comparison;
  return {
    table: match.table,
    key: key.columns,
    keyKind: key.kind,
    ...counts,
    samples: found,
    columnsCompared: match.columns.map((c) => c.name),
    columnsOnlyInLive: match.columnsOnlyInLive,
    columnsOnlyInRestored: match.columnsOnlyInRestored,
    columnTypeDifferences: match.columnTypeDifferences,
    comparedAsText: match.columns.filter((c) => c.asText).map((c) => c.name),
  };
}
