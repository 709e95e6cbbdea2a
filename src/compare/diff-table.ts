import type { ClientBase } from 'pg';
import { planBuckets } from './bucket-plan';
import { classifyRowsSql, SideSql, TableComparison } from './classify-rows';
import type { RowCategory, RowKey, TableDiff } from './diff-result';
import { bucketedRelationSql, bucketParams, differingBuckets } from './differing-buckets';
import { withLocalSettings } from '../connection/with-local-settings';

/** Options of {@link diffTable}. */
export interface DiffTableOptions {
  /** Keys (or rows, without a key) to return per category. @default 5 */
  readonly samples?: number;
  /**
   * Tables estimated to have at least this many rows (on the larger side) are compared in two
   * passes: per-bucket summaries of row hashes first, then the exact join over the buckets that
   * differ only. Smaller tables are joined whole. @default Infinity (every table joined whole)
   */
  readonly bucketedFromRows?: number;
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
function countsAndSamplesSql(comparison: TableComparison, from?: SideSql): string {
  const keys = comparison.key.columns.map((_, i) => `k${i + 1}`);
  // Samples by smallest key; rows without a key have no order worth a sort of every differing row.
  const order = comparison.key.kind === 'row' ? '' : ` ORDER BY ${keys.join(', ')}`;
  const sample = `jsonb_build_object(${keys.map((k, i) => `$${i + 2}::text, ${exactJson(k)}`).join(', ')})`;
  return `SELECT category, n::text AS n, ${sample} AS sample
  FROM (SELECT c.*, count(*) OVER (PARTITION BY category) AS n, row_number() OVER (PARTITION BY category${order}) AS rn
          FROM (${classifyRowsSql(comparison, from)}) AS c) AS w
 WHERE rn <= greatest($1::int, 1)`;
}

/**
 * Settings for the join of two tables by a key both sides have an index on: a merge join of two
 * index scans in key order, about twice as fast on PostgreSQL 15 as the hash join the planner
 * prefers (whose hash table of millions of rows spills to disk in batches), and no JIT compilation,
 * which the join's estimates would buy for more than it saves. Measured on 3 M rows with 3,000
 * differences: 2.0–3.0 s against 4.4–5.8 s.
 */
const MERGE_JOIN = { jit: 'off', enable_hashjoin: 'off' } as const;

/** Whether both sides' key is the one their unique index covers as it is (not compared as text), so index scans come in key order. */
function keyIndexed(comparison: TableComparison): boolean {
  if (comparison.key.kind === 'row') return false;
  const byName = new Map(comparison.match.columns.map((c) => [c.name, c]));
  return comparison.key.columns.every((name) => byName.get(name)?.asText !== true);
}

/** The category rows of a table: from one join of both tables, or of the differing buckets only. */
async function categoryRows(client: ClientBase, comparison: TableComparison, samples: number, fromRows: number | undefined): Promise<CategoryRow[]> {
  const params = [samples, ...comparison.key.columns];
  const plan = fromRows === undefined || !Number.isFinite(fromRows) ? undefined : await planBuckets(client, comparison, { fromRows });
  // The bucket queries' cost estimates are far above their work: compiling them (JIT) takes longer than running them.
  const buckets = plan && await withLocalSettings(client, { jit: 'off' }, () => differingBuckets(client, comparison, plan));
  if (!plan || !buckets) {
    const joined = async (): Promise<CategoryRow[]> => (await client.query<CategoryRow>(countsAndSamplesSql(comparison), params)).rows;
    return keyIndexed(comparison) ? withLocalSettings(client, MERGE_JOIN, joined) : joined();
  }
  if (buckets.length === 0) return [];
  const from: SideSql = (side) => bucketedRelationSql(plan, comparison, side, params.length + 1);
  // No hash join sized for the planner's estimate of the ranges' rows (see bucketedRelationSql).
  return withLocalSettings(client, { jit: 'off', enable_hashjoin: 'off' }, async () =>
    (await client.query<CategoryRow>(countsAndSamplesSql(comparison, from), [...params, ...bucketParams(plan, buckets)])).rows);
}

/**
 * Compare one table of the live schema with its restored twin inside the server: rows deleted,
 * added and changed since the restore point, counted exactly, with a few sample keys each
 * (smallest first). By default a table is compared by one join of both tables. From
 * `bucketedFromRows` estimated rows, in two passes instead: one scan of each side summarises its rows per
 * bucket (key range or key hash: count and 64-bit row hashes), then the join runs over the buckets
 * whose summaries differ only, read through the key's index for key ranges; when more than a quarter
 * of the buckets differ, the whole join instead. Only the differing rows are sorted, and the server
 * spills to disk rather than growing memory, whatever the table size. Run it in a REPEATABLE READ
 * transaction to have both sides at one instant.
 *
 * @example
 * const diff = await diffTable(client, { live: 'customer_a1', restored: 'customer_a1_20240128143000', match, key }, { samples: 3 });
 * console.log(diff.deleted, diff.samples.deleted); // 2 [{ id: 17 }, { id: 18 }] (a bigint or numeric key: { id: '17' })
 */
export async function diffTable(client: ClientBase, comparison: TableComparison, options: DiffTableOptions = {}): Promise<TableDiff> {
  const samples = options.samples ?? 5;
  const rows = await categoryRows(client, comparison, samples, options.bucketedFromRows);
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
