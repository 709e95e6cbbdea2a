import type { ClientBase } from 'pg';
import type { TableComparison } from './classify-rows';
import type { ComparedColumn } from './match-tables';
import { quoteIdent, quoteQualified } from '../quote';

/** How one compared column is hashed: the SQL function and how the value is passed to it. */
interface ColumnHash {
  readonly name: string;
  /** Whether the column is compared natively as smallint, integer or bigint (a key whose ranges can be read). */
  readonly integer: boolean;
  /** SQL of the column's 64-bit hash, `alias` and `seed` substituted. */
  readonly sql: (alias: string, seed: number) => string;
}

/** The base types (domains as their base) hashed natively with PostgreSQL's own hash functions: the hash opclass's, so equal values hash equal. */
const NATIVE: Readonly<Record<string, (v: string, seed: number) => string>> = {
  'smallint': (v, s) => `hashint2extended(${v}, ${s})`,
  'integer': (v, s) => `hashint4extended(${v}, ${s})`,
  'bigint': (v, s) => `hashint8extended(${v}, ${s})`,
  'text': (v, s) => `hashtextextended(${v}, ${s})`,
  'character varying': (v, s) => `hashtextextended(${v}::text, ${s})`,
  'numeric': (v, s) => `hash_numeric_extended(${v}, ${s})`,
  'real': (v, s) => `hashfloat4extended(${v}, ${s})`,
  'double precision': (v, s) => `hashfloat8extended(${v}, ${s})`,
  'boolean': (v, s) => `hashint4extended(${v}::int, ${s})`,
  'uuid': (v, s) => `uuid_hash_extended(${v}, ${s})`,
  'timestamp without time zone': (v, s) => `timestamp_hash_extended(${v}, ${s})`,
  // UTC has no daylight saving: distinct instants stay distinct timestamps.
  'timestamp with time zone': (v, s) => `timestamp_hash_extended(${v} AT TIME ZONE 'UTC', ${s})`,
  'jsonb': (v, s) => `jsonb_hash_extended(${v}, ${s})`,
  'interval': (v, s) => `interval_hash_extended(${v}, ${s})`,
};

interface TypeRow {
  name: string;
  base: string;
  element: string | null;
  enum: boolean;
}

// Each column's base type (domains unwrapped), its array element's base type, and whether it is an enum.
const TYPES_SQL = `
SELECT a.attname::text AS name, format_type(b.oid, NULL) AS base, format_type(eb.oid, NULL) AS element, b.typtype = 'e' AS enum
  FROM pg_attribute a
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
  LEFT JOIN pg_type eb ON eb.oid = CASE WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END
 WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`;

function columnHash(column: ComparedColumn, type: TypeRow | undefined): ColumnHash {
  const value = (alias: string): string => `${alias}.${quoteIdent(column.name)}`;
  const native = !column.asText && type ? NATIVE[type.base] : undefined;
  const integer = native !== undefined && ['smallint', 'integer', 'bigint'].includes(type?.base ?? '');
  if (native) return { name: column.name, integer, sql: (alias, seed) => native(value(alias), seed) };
  if (!column.asText && type && (type.enum || (type.element !== null && NATIVE[type.element]))) {
    const fn = type.enum ? 'hashenumextended' : 'hash_array_extended';
    return { name: column.name, integer, sql: (alias, seed) => `${fn}(${value(alias)}, ${seed})` };
  }
  // Any other type, and columns compared by their text form: the text form's hash.
  return { name: column.name, integer, sql: (alias, seed) => `hashtextextended(${value(alias)}::text, ${seed})` };
}

/** How to hash the compared columns of a table: PostgreSQL's hash function per column type, text form otherwise. */
export type RowHasher = readonly ColumnHash[];

/**
 * How each compared column of a table is hashed, from the live table's column types: PostgreSQL's
 * own 64-bit extended hash function for common types (integers, text, numeric, floats, boolean,
 * uuid, timestamps, jsonb, interval, enums, arrays of those), the hash of the text form for any other
 * type and for columns compared by their text form. Equal values always hash equal (the hash
 * operator class's contract; a text form is the same for the same value); distinct values hash equal
 * with a probability of 2⁻⁶⁴. Reads the catalog only.
 *
 * @example
 * const hasher = await readRowHasher(client, comparison);
 * rowHashSql(hasher, comparison.match.columns.map((c) => c.name), 't'); // 'hashint8extended(coalesce(hashint4extended(t."id", 1), 1) # …, 0)'
 */
export async function readRowHasher(client: ClientBase, comparison: TableComparison): Promise<RowHasher> {
  const { rows } = await client.query<TypeRow>(TYPES_SQL, [quoteQualified(comparison.live, comparison.match.table)]);
  return comparison.match.columns.map((column) => columnHash(column, rows.find((r) => r.name === column.name)));
}

/**
 * SQL of one 64-bit hash of the given columns of a row (`alias`): each column hashed with its
 * position as the seed (a NULL hashes to its position), the column hashes combined with XOR, and the
 * result hashed again, so that no change of values, not even two values swapping columns or rows,
 * cancels out in a sum or XOR of row hashes.
 *
 * @example
 * rowHashSql(hasher, ['order_id', 'line'], 't'); // 'hashint8extended(coalesce(hashint8extended(t."order_id", 1), 1) # coalesce(hashint2extended(t."line", 2), 2), 0)'
 */
export function rowHashSql(hasher: RowHasher, columns: readonly string[], alias: string): string {
  const parts = columns.map((name, i) => {
    const column = hasher.find((c) => c.name === name) ?? columnHash({ name, asText: true }, undefined);
    return `coalesce(${column.sql(alias, i + 1)}, ${i + 1})`;
  });
  return `hashint8extended(${parts.join(' # ')}, 0)`;
}

/** Whether a column's base type is one of the integer types (for key ranges). */
export function isIntegerColumn(hasher: RowHasher, column: string): boolean {
  return hasher.find((c) => c.name === column)?.integer === true;
}
