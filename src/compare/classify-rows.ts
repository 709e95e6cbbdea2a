import type { TableKey } from './choose-key';
import type { ComparedColumn, TableMatch } from './match-tables';
import { quoteIdent, quoteQualified } from '../quote';

/** One table to compare: which schemas, which columns, matched by which key. */
export interface TableComparison {
  /** The live schema. */
  readonly live: string;
  /** The restored (past) schema. */
  readonly restored: string;
  readonly match: TableMatch;
  readonly key: TableKey;
}

/**
 * A relation as a FROM (or LOCK) item: a plain table without its inheritance children, a partitioned
 * one with its partitions.
 *
 * @example
 * relationSql('customer_a1', 'orders', 'r'); // 'ONLY "customer_a1"."orders"'
 */
export function relationSql(schema: string, table: string, kind: 'r' | 'p'): string {
  return `${kind === 'r' ? 'ONLY ' : ''}${quoteQualified(schema, table)}`;
}

/**
 * A column's value as compared: itself, or its text form for types without equality or differing between the sides.
 *
 * @example
 * comparedValue('l', { name: 'prefs', asText: true }); // 'l."prefs"::text'
 */
export function comparedValue(alias: string, column: ComparedColumn): string {
  return `${alias}.${quoteIdent(column.name)}${column.asText ? '::text' : ''}`;
}

/**
 * The compared columns of these names, in the order given (how each is compared: natively or by text form).
 *
 * @example
 * columnsOf(comparison, comparison.key.columns); // [{ name: 'sku', asText: true }]
 */
export function columnsOf(comparison: TableComparison, names: readonly string[]): ComparedColumn[] {
  return names.map((name) => comparison.match.columns.find((c) => c.name === name) ?? { name, asText: false });
}

/** Each side's FROM item: the whole relation, or a part of it (a subquery). */
export type SideSql = (side: 'live' | 'restored') => string;

const wholeTables = (c: TableComparison): SideSql => (side) => (side === 'live'
  ? relationSql(c.live, c.match.table, c.match.liveKind) : relationSql(c.restored, c.match.table, c.match.restoredKind));

function keyedSql(c: TableComparison, from: SideSql): string {
  const key = columnsOf(c, c.key.columns);
  const rest = c.match.columns.filter((col) => !c.key.columns.includes(col.name));
  const first = `${quoteIdent(key[0].name)}`;
  const changed = rest.length === 0 ? 'false'
    : `ROW(${rest.map((col) => comparedValue('l', col)).join(', ')}) IS DISTINCT FROM ROW(${rest.map((col) => comparedValue('r', col)).join(', ')})`;
  return `SELECT CASE WHEN l.${first} IS NULL THEN 'deleted' WHEN r.${first} IS NULL THEN 'added' ELSE 'changed' END AS category, ` +
    `${key.map((col, i) => `coalesce(${comparedValue('l', col)}, ${comparedValue('r', col)}) AS k${i + 1}`).join(', ')}
  FROM ${from('live')} AS l
  FULL JOIN ${from('restored')} AS r ON ${key.map((col) => `${comparedValue('l', col)} = ${comparedValue('r', col)}`).join(' AND ')}
 WHERE l.${first} IS NULL OR r.${first} IS NULL OR ${changed}`;
}

function wholeRowSql(c: TableComparison, from: SideSql): string {
  const row = (side: 'live' | 'restored'): string =>
    `SELECT ${c.match.columns.map((col, i) => `${comparedValue('t', col)} AS k${i + 1}`).join(', ')} FROM ${from(side)} AS t`;
  const live = row('live');
  const restored = row('restored');
  return `SELECT 'deleted' AS category, d.* FROM (${restored} EXCEPT ALL ${live}) AS d
UNION ALL
SELECT 'added' AS category, a.* FROM (${live} EXCEPT ALL ${restored}) AS a`;
}

/**
 * The SQL that classifies the rows of one table, computed in the server in one pass: a row of
 * `(category, k1, …, kn)` per difference — `deleted` (key only in the restored table), `added` (only
 * live), `changed` (same key, a compared non-key column `IS DISTINCT FROM` its restored value; NULLs
 * equal) — with `k1…kn` the key columns in `comparison.key.columns` order. Tables without a key are
 * compared whole with `EXCEPT ALL` both ways: duplicates count, nothing is ever `changed`. Identical
 * rows produce nothing, so wrapping queries aggregate only the differences. `from` narrows each side
 * to a part of its table (the diff's second pass reads only the buckets that differ).
 *
 * @example
 * const { rows } = await client.query(`SELECT category, count(*) FROM (${classifyRowsSql(comparison)}) c GROUP BY category`);
 */
export function classifyRowsSql(comparison: TableComparison, from: SideSql = wholeTables(comparison)): string {
  return comparison.key.kind === 'row' || comparison.key.columns.length === 0 ? wholeRowSql(comparison, from) : keyedSql(comparison, from);
}
