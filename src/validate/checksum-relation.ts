import { ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../quote';

/** Row count and content checksum of a table or materialized view. */
export interface RelationChecksum {
  readonly rows: number;
  /** Sum of a 64-bit hash of every row's text, as text (numeric, no overflow). */
  readonly checksum: string;
}

/**
 * Count the rows of a table or materialized view and checksum their contents: the sum of
 * `hashtextextended(ROW(columns)::text, 0)` over all rows. A sum is independent of row order and
 * counts duplicate rows; hashing only the listed columns lets both sides hash the same column list
 * whatever their physical column order. Text output depends on session settings, so both sides
 * must use the exact settings of `connect()`. `valueSql` hashes an expression over `t` in place of
 * a column (e.g. the content a large object OID refers to).
 *
 * @example
 * const { rows, checksum } = await checksumRelation(client, 'customer_a1', 'orders', ['id', 'total']);
 */
export async function checksumRelation(client: ClientBase, schema: string, name: string, columns: readonly string[],
  valueSql?: (column: string, value: string) => string | undefined): Promise<RelationChecksum> {
  const row = columns.map((c) => valueSql?.(c, `t.${quoteIdent(c)}`) ?? `t.${quoteIdent(c)}`).join(', ');
  const { rows } = await client.query<{ rows: string; checksum: string }>(
    `SELECT count(*)::text AS rows, coalesce(sum(hashtextextended(ROW(${row})::text, 0)), 0)::text AS checksum
     FROM ONLY ${quoteQualified(schema, name)} AS t`);
  return { rows: Number(rows[0].rows), checksum: rows[0].checksum };
}
