import type { ClientBase } from 'pg';
import { relationSql, TableComparison } from './classify-rows';
import { isIntegerColumn, readRowHasher, RowHasher, rowHashSql } from './row-hash';
import { quoteIdent, quoteQualified } from '../quote';

/**
 * How a large table's rows are split into buckets for the diff's first pass: by ranges of an
 * integer key column (`range`: the second pass reads the differing ranges through the key's index),
 * or by the hash of the key (or of the whole row without a key) modulo a power of two (`hash`).
 */
export type BucketPlan = RangeBuckets | HashBuckets;

interface PlanBase {
  readonly count: number;
  readonly hasher: RowHasher;
}

/** Buckets of `width` consecutive values of the key's first column, from `low` up to `high`. */
export interface RangeBuckets extends PlanBase {
  readonly kind: 'range';
  readonly column: string;
  readonly low: bigint;
  readonly high: bigint;
  readonly width: bigint;
}

/** Buckets by a hash of the key (or the whole row), `count` a power of two. */
export interface HashBuckets extends PlanBase {
  readonly kind: 'hash';
}

/** Options of {@link planBuckets}. */
export interface PlanBucketsOptions {
  /** Tables estimated to have fewer rows than this (on the larger side) are compared by the plain join. @default 100000 */
  readonly fromRows?: number;
}

/** Rows per bucket aimed at, and the bounds of the bucket count (each bucket is one small group in the server). */
const ROWS_PER_BUCKET = 48;
const MIN_BUCKETS = 16;
const MAX_BUCKETS = 65_536;
/** Key spans up to 2⁶², so `key - low` never overflows a bigint. */
const MAX_SPAN = 2n ** 62n;

// The planner's row estimate (pages × density when never analyzed), partitions summed.
const ESTIMATE_SQL = `
SELECT coalesce(sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_relation_size(c.oid) / 64 END), 0)::float8 AS rows
  FROM pg_class c
 WHERE c.relkind = 'r' AND (c.oid = $1::regclass OR c.oid IN (SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf))`;

async function estimatedRows(client: ClientBase, comparison: TableComparison): Promise<number> {
  let most = 0;
  for (const schema of [comparison.live, comparison.restored]) {
    const { rows } = await client.query<{ rows: number }>(ESTIMATE_SQL, [quoteQualified(schema, comparison.match.table)]);
    most = Math.max(most, rows[0]?.rows ?? 0);
  }
  return most;
}

async function keyRange(client: ClientBase, c: TableComparison, column: string): Promise<{ low: bigint; high: bigint } | undefined> {
  const k = quoteIdent(column);
  const side = (schema: string, kind: 'r' | 'p'): string => relationSql(schema, c.match.table, kind);
  const { rows } = await client.query<{ low: string | null; high: string | null }>(
    `SELECT least((SELECT min(${k}) FROM ${side(c.live, c.match.liveKind)}), (SELECT min(${k}) FROM ${side(c.restored, c.match.restoredKind)}))::text AS low,
            greatest((SELECT max(${k}) FROM ${side(c.live, c.match.liveKind)}), (SELECT max(${k}) FROM ${side(c.restored, c.match.restoredKind)}))::text AS high`);
  const { low, high } = rows[0];
  return low === null || high === null ? undefined : { low: BigInt(low), high: BigInt(high) };
}

/**
 * Plan the buckets of one table for the bucketed diff, or `undefined` when the plain join is the
 * better way: a table estimated (by the planner's statistics) below `fromRows` rows. A key whose
 * first column is an integer is split into ranges of it (the min and max read through its index);
 * other keys and key-less tables into hash buckets. About 48 rows per bucket, 16 to 65,536 buckets (the
 * summaries of 65,536 buckets fit in the default `work_mem`).
 *
 * @example
 * const plan = await planBuckets(client, comparison, { fromRows: 100_000 }); // { kind: 'range', column: 'order_id', count: 65536, … }
 */
export async function planBuckets(client: ClientBase, comparison: TableComparison, options: PlanBucketsOptions = {}):
Promise<BucketPlan | undefined> {
  if (comparison.match.columns.length === 0) return undefined; // nothing to hash: rows are only counted
  const rows = await estimatedRows(client, comparison);
  if (rows < (options.fromRows ?? 100_000)) return undefined;
  const hasher = await readRowHasher(client, comparison);
  const wanted = Math.min(MAX_BUCKETS, Math.max(MIN_BUCKETS, Math.ceil(rows / ROWS_PER_BUCKET)));
  const column = comparison.key.kind === 'row' ? undefined : comparison.key.columns[0];
  if (column !== undefined && isIntegerColumn(hasher, column)) {
    const range = await keyRange(client, comparison, column);
    if (range === undefined) return undefined; // both sides empty: the join is instant
    const span = range.high - range.low + 1n;
    if (span <= MAX_SPAN) {
      const width = (span + BigInt(wanted) - 1n) / BigInt(wanted);
      return { kind: 'range', column, ...range, width, count: Number((span + width - 1n) / width), hasher };
    }
  }
  return { kind: 'hash', count: 2 ** Math.ceil(Math.log2(wanted)), hasher };
}

/**
 * SQL of a row's bucket number (0 to `count - 1`) under a plan, for the row `alias`.
 *
 * @example
 * bucketSql(plan, comparison, 't'); // '(t."order_id"::bigint - (1)) / 16'
 */
export function bucketSql(plan: BucketPlan, comparison: TableComparison, alias: string): string {
  if (plan.kind === 'range') return `(${alias}.${quoteIdent(plan.column)}::bigint - (${plan.low})) / ${plan.width}`;
  return `(${rowHashSql(plan.hasher, comparison.key.columns, alias)} & ${plan.count - 1})`;
}
