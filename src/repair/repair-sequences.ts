import type { ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../quote';
import type { SequenceMove } from './repair-result';

/** An integer column fed by a sequence: owned by it (serial, identity) or named in its default. */
interface SequenceColumn {
  table: string;
  column: string;
  seq_schema: string;
  seq_name: string;
}

const SEQUENCE_COLUMNS_SQL = `
SELECT DISTINCT c.relname AS table, a.attname AS column, sn.nspname AS seq_schema, s.relname AS seq_name
  FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  JOIN pg_class c ON c.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_namespace sn ON sn.oid = s.relnamespace
 WHERE n.nspname = $1 AND sn.nspname = $1 AND c.relname = ANY ($2::text[]) AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
UNION
SELECT c.relname, a.attname, sn.nspname, s.relname
  FROM pg_attrdef ad
  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
  JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
  JOIN pg_class c ON c.oid = ad.adrelid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ad.adnum
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_namespace sn ON sn.oid = s.relnamespace
 WHERE n.nspname = $1 AND sn.nspname = $1 AND c.relname = ANY ($2::text[]) AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
 ORDER BY 3, 4, 1, 2`;

/**
 * Move the sequences feeding integer columns of the written tables (owned by a column — serial,
 * identity — or called by a column's default) forward to the column's largest value when it has
 * passed the sequence's position, so no future insert collides with a repaired row. Never backwards,
 * only ascending sequences, and only the live schema's own: a sequence elsewhere (a shared one in
 * `public`) is another tenant's object too and is left as it is. Note that `setval` is not undone by a ROLLBACK (a gap at most).
 *
 * @example
 * await moveSequencesForward(client, 'customer_a1', ['orders']); // [{ sequence: '"customer_a1"."orders_id_seq"', from: '10', to: '12' }]
 */
export async function moveSequencesForward(client: ClientBase, schema: string, tables: readonly string[]): Promise<SequenceMove[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<SequenceColumn>(SEQUENCE_COLUMNS_SQL, [schema, tables]);
  const moves: SequenceMove[] = [];
  for (const r of rows) {
    const sequence = quoteQualified(r.seq_schema, r.seq_name);
    const { rows: moved } = await client.query<{ from: string; to: string }>(
      `SELECT s.last_value::text AS from, setval($1::regclass, m.v)::text AS to
         FROM (SELECT max(${quoteIdent(r.column)})::int8 AS v FROM ${quoteQualified(schema, r.table)}) AS m, ${sequence} AS s, pg_sequence AS p
        WHERE p.seqrelid = $1::regclass AND p.seqincrement > 0 AND m.v IS NOT NULL
          AND (m.v > s.last_value OR (NOT s.is_called AND m.v >= s.last_value))`, [sequence]);
    if (moved[0]) moves.push({ sequence, from: moved[0].from, to: moved[0].to });
  }
  return moves;
}
