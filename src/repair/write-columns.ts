import type { ClientBase } from 'pg';
import type { TableMatch } from '../compare/match-tables';

/** A live column as a write sees it. */
export interface LiveColumn {
  /** Its type, as `format_type` names it (qualified when it is not on the search path). */
  readonly type: string;
  /** `a`: GENERATED ALWAYS AS IDENTITY, `d`: BY DEFAULT, empty: not an identity column. */
  readonly identity: string;
  /** A generated (stored) column: computed by the server, never written. */
  readonly generated: boolean;
}

/** The live columns of each table of a schema. */
export type LiveColumns = ReadonlyMap<string, ReadonlyMap<string, LiveColumn>>;

const LIVE_COLUMNS_SQL = `
SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
       a.attidentity::text AS identity, a.attgenerated <> '' AS generated
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`;

/**
 * Read the live tables' columns: type, identity, generated. Reads the catalog only.
 *
 * @example
 * const columns = await readLiveColumns(client, 'customer_a1'); // Map { 'orders' => Map { 'id' => { type: 'bigint', identity: 'a', generated: false } } }
 */
export async function readLiveColumns(client: ClientBase, schema: string): Promise<LiveColumns> {
  const { rows } = await client.query<{ table: string; column: string } & LiveColumn>(LIVE_COLUMNS_SQL, [schema]);
  const tables = new Map<string, Map<string, LiveColumn>>();
  for (const { table, column, ...info } of rows) tables.set(table, (tables.get(table) ?? new Map()).set(column, info));
  return tables;
}

/** Which compared columns a repair writes to one table. */
export interface WriteColumns {
  /** Written by INSERT: the compared columns except generated ones (recomputed). */
  readonly insert: readonly string[];
  /** Written by UPDATE: the insert columns except key columns and GENERATED ALWAYS identity columns. */
  readonly update: readonly string[];
  /** An insert column is GENERATED ALWAYS AS IDENTITY: the INSERT needs OVERRIDING SYSTEM VALUE. */
  readonly overriding: boolean;
  /** The live columns, by name. */
  readonly live: ReadonlyMap<string, LiveColumn>;
}

/**
 * The columns a repair writes to a matched table: the compared ones, generated columns left out
 * (the server recomputes them), identity values kept as restored.
 *
 * @example
 * writeColumns(match, ['id'], liveColumns.get('orders')); // { insert: ['id', 'total'], update: ['total'], overriding: true, live }
 */
export function writeColumns(match: TableMatch, key: readonly string[], live: ReadonlyMap<string, LiveColumn> = new Map()): WriteColumns {
  const insert = match.columns.map((c) => c.name).filter((name) => !live.get(name)?.generated);
  return {
    insert,
    update: insert.filter((name) => !key.includes(name) && live.get(name)?.identity !== 'a'),
    overriding: insert.some((name) => live.get(name)?.identity === 'a'),
    live,
  };
}
