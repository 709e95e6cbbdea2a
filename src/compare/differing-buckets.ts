import type { ClientBase } from 'pg';
import { bucketSql, BucketPlan } from './bucket-plan';
import { relationSql, TableComparison } from './classify-rows';
import { rowHashSql } from './row-hash';
import { quoteIdent } from '../quote';

/** Options of {@link differingBuckets}. */
export interface DifferingBucketsOptions {
  /** At most this many differing buckets are worth a second pass; beyond, `undefined`. @default a quarter of the buckets, at most 20,000 */
  readonly limit?: number;
}

/** One side's summary per bucket: its rows, the XOR of their hashes and the sum of the hashes' low 31 bits. */
function summarySql(plan: BucketPlan, c: TableComparison, schema: string, kind: 'r' | 'p'): string {
  const columns = c.match.columns.map((col) => col.name);
  return `SELECT b, count(*) AS n, bit_xor(h) AS x, sum((h & 2147483647)::int) AS s
  FROM (SELECT ${bucketSql(plan, c, 't')} AS b, ${rowHashSql(plan.hasher, columns, 't')} AS h FROM ${relationSql(schema, c.match.table, kind)} AS t) AS rows
 GROUP BY b`;
}

/**
 * The diff's first pass over a large table: each side's rows summarised per bucket in one scan
 * (count, XOR of 64-bit row hashes, sum of their low 31 bits), the two summaries compared in the
 * server, and the numbers of the buckets that differ returned, smallest first — or `undefined` when
 * more than `limit` differ (the plain join is then cheaper than a second pass over them). A bucket
 * whose summaries are equal holds the same rows on both sides, except with a probability of about
 * 2⁻⁶⁴ (a 64-bit hash collision that the count and the sum also miss); every other bucket is
 * compared exactly by the second pass ({@link bucketedRelationSql}). Memory is bounded by the
 * bucket count.
 *
 * @example
 * const buckets = await differingBuckets(client, comparison, plan); // [12, 4077]
 */
export async function differingBuckets(client: ClientBase, c: TableComparison, plan: BucketPlan, options: DifferingBucketsOptions = {}):
Promise<number[] | undefined> {
  const limit = options.limit ?? Math.min(20_000, Math.ceil(plan.count / 4));
  const { rows } = await client.query<{ b: string }>(`SELECT coalesce(l.b, r.b) AS b
  FROM (${summarySql(plan, c, c.live, c.match.liveKind)}) AS l
  FULL JOIN (${summarySql(plan, c, c.restored, c.match.restoredKind)}) AS r ON l.b = r.b
 WHERE l.b IS NULL OR r.b IS NULL OR l.n <> r.n OR l.x <> r.x OR l.s <> r.s
 ORDER BY 1 LIMIT $1`, [limit + 1]);
  return rows.length > limit ? undefined : rows.map((r) => Number(r.b));
}

/** The parameter values of {@link bucketedRelationSql}, for the given buckets: range bounds, or bucket numbers. */
export function bucketParams(plan: BucketPlan, buckets: readonly number[]): string[][] {
  if (plan.kind === 'hash') return [buckets.map(String)];
  const lows = buckets.map((b) => plan.low + BigInt(b) * plan.width);
  return [lows.map(String), lows.map((low) => String(low + plan.width - 1n < plan.high ? low + plan.width - 1n : plan.high))];
}

/**
 * A FROM item of one side of a table restricted to the given buckets, for the second pass: with
 * range buckets, one index range scan per bucket (`key BETWEEN low AND high`, the bounds as two
 * bigint array parameters `$param` and `$param+1`); with hash buckets, a scan keeping the rows whose
 * bucket is in the array parameter `$param` (a hashed lookup). The values come from
 * {@link bucketParams}. The planner cannot know how few rows the ranges hold: join the two sides
 * with hash joins disabled (a merge join sorts the few rows read; a hash join sized for its estimate
 * would spill them into a thousand batches).
 *
 * @example
 * bucketedRelationSql(plan, comparison, 'live', 3); // '(SELECT t.* FROM unnest($3::int8[], $4::int8[]) AS b(low, high) JOIN ONLY "a"."t" AS t ON …)'
 */
export function bucketedRelationSql(plan: BucketPlan, c: TableComparison, side: 'live' | 'restored', param: number): string {
  const relation = side === 'live' ? relationSql(c.live, c.match.table, c.match.liveKind) : relationSql(c.restored, c.match.table, c.match.restoredKind);
  if (plan.kind === 'range') {
    // OFFSET 0 keeps the range read where it is: one index range scan per bucket, driven by the bounds.
    return `(SELECT t.* FROM unnest($${param}::int8[], $${param + 1}::int8[]) AS b(low, high)
  CROSS JOIN LATERAL (SELECT * FROM ${relation} AS s WHERE s.${quoteIdent(plan.column)} BETWEEN b.low AND b.high OFFSET 0) AS t)`;
  }
  return `(SELECT t.* FROM ${relation} AS t WHERE ${bucketSql(plan, c, 't')} = ANY ($${param}::int8[]))`;
}
