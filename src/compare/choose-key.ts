import type { ClientBase } from 'pg';
import type { TableMatch } from './match-tables';

/** How rows of a table are matched: by its primary key, by a unique NOT NULL key, or whole (no key). */
export type KeyKind = 'primary' | 'unique' | 'row';

/** A key of a table: the primary key, or a unique index usable as one. */
export interface KeyCandidate {
  readonly kind: 'primary' | 'unique';
  /** Key columns, in index order. */
  readonly columns: readonly string[];
}

/** The columns rows of one table are matched by. */
export interface TableKey {
  readonly kind: KeyKind;
  /** The key columns; for `row` every compared column. */
  readonly columns: readonly string[];
}

// Unique indexes usable as a key: valid, not partial, no expressions, every key column NOT NULL
// (INCLUDE columns are not part of the key). The primary key first, then the narrowest, then by name.
const KEYS_SQL = `
SELECT c.relname AS table, i.indisprimary AS primary, array_agg(a.attname::text ORDER BY k.ord) AS columns
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class ic ON ic.oid = i.indexrelid
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
 WHERE n.nspname = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
 GROUP BY c.relname, i.indexrelid, i.indisprimary, ic.relname
HAVING i.indisprimary OR bool_and(a.attnotnull)
 ORDER BY c.relname, i.indisprimary DESC, count(*), ic.relname COLLATE "C"`;

/**
 * The keys of every table of a schema, best first: the primary key, then unique indexes whose
 * columns are all NOT NULL (not partial, no expressions), narrowest first. Reads the catalog only.
 *
 * @example
 * const keys = await readKeys(client, 'customer_a1'); // Map { 'orders' => [{ kind: 'primary', columns: ['id'] }, …] }
 */
export async function readKeys(client: ClientBase, schema: string): Promise<Map<string, KeyCandidate[]>> {
  const { rows } = await client.query<{ table: string; primary: boolean; columns: string[] }>(KEYS_SQL, [schema]);
  const keys = new Map<string, KeyCandidate[]>();
  for (const row of rows) {
    keys.set(row.table, [...(keys.get(row.table) ?? []), { kind: row.primary ? 'primary' : 'unique', columns: row.columns }]);
  }
  return keys;
}

const sameColumns = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((c) => b.includes(c));

/**
 * Choose how the rows of a matched table are paired: the live table's best key whose columns are
 * compared columns and are a key (primary or unique NOT NULL) of the restored table too — a key on
 * one side only could pair a row with several. Without one, rows are matched whole (`row`).
 *
 * @example
 * chooseKey(match, liveKeys.get('orders') ?? [], restoredKeys.get('orders') ?? []); // { kind: 'primary', columns: ['id'] }
 */
export function chooseKey(match: TableMatch, liveKeys: readonly KeyCandidate[], restoredKeys: readonly KeyCandidate[]): TableKey {
  const compared = match.columns.map((c) => c.name);
  const key = liveKeys.find((k) => k.columns.every((c) => compared.includes(c)) && restoredKeys.some((r) => sameColumns(r.columns, k.columns)));
  return key ? { kind: key.kind, columns: key.columns } : { kind: 'row', columns: compared };
}
