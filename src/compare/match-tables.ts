import type { ClientBase } from 'pg';

/** A column both sides have, and how its values are compared. */
export interface ComparedColumn {
  readonly name: string;
  /**
   * Compared by its text form (`::text`): the type has no equality (json, xml, point, …), or is not
   * the same type on both sides (changed since, or the schema's own enum or composite type, one per
   * schema); domains compare by their base type.
   */
  readonly asText: boolean;
}

/** A common column whose type differs between the two sides. */
export interface ColumnTypeDifference {
  readonly column: string;
  readonly live: string;
  readonly restored: string;
}

/** One table present in both schemas, and the columns it is compared on. */
export interface TableMatch {
  readonly table: string;
  /** `p` for a partitioned table (read with its partitions), `r` for a plain one (read without inheritance children). */
  readonly liveKind: 'r' | 'p';
  readonly restoredKind: 'r' | 'p';
  /** Common columns, in the live table's column order. */
  readonly columns: readonly ComparedColumn[];
  readonly columnsOnlyInLive: readonly string[];
  readonly columnsOnlyInRestored: readonly string[];
  readonly columnTypeDifferences: readonly ColumnTypeDifference[];
}

/** Which tables of two schemas can be compared. */
export interface SchemaMatch {
  /** Tables in both schemas, in name order. */
  readonly tables: readonly TableMatch[];
  readonly onlyInLive: readonly string[];
  readonly onlyInRestored: readonly string[];
}

/** Options of {@link matchTables}. */
export interface MatchTablesOptions {
  /** The live schema. */
  readonly live: string;
  /** The restored (past) schema. */
  readonly restored: string;
}

interface ColumnRow {
  schema: string;
  table: string;
  kind: 'r' | 'p';
  column: string | null;
  type: string | null;
  /** `"schema".` when the column's type lives in the table's own schema (a tenant's enum or domain). */
  own_prefix: string | null;
  /** The type, or a domain's base type: native comparison needs the same one on both sides. */
  base_type: string | null;
  has_equality: boolean | null;
}

// Whether values of a column's type can be compared with `=`: as the server decides for rows, a default
// btree or hash operator class of the type (or of a type it is binary-coercible to, varchar → text); for
// arrays and domains, of the element or base type; composites, enums and ranges compare natively.
const COLUMNS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind, a.attname AS column,
       format_type(a.atttypid, a.atttypmod) AS type,
       b.oid::int8::text AS base_type,
       CASE WHEN t.typnamespace = c.relnamespace THEN quote_ident(n.nspname) || '.' END AS own_prefix,
       CASE WHEN ct.typtype IN ('c', 'e', 'r', 'm') THEN true
            ELSE EXISTS (SELECT 1 FROM pg_opclass o JOIN pg_am m ON m.oid = o.opcmethod
                          WHERE o.opcdefault AND m.amname IN ('btree', 'hash')
                            AND (o.opcintype = ct.oid OR EXISTS (SELECT 1 FROM pg_cast k
                                  WHERE k.castsource = ct.oid AND k.casttarget = o.opcintype AND k.castmethod = 'b'))) END AS has_equality
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type e ON e.oid = CASE WHEN b.typcategory = 'A' AND b.typelem <> 0 THEN b.typelem ELSE b.oid END
  LEFT JOIN pg_type ct ON ct.oid = CASE WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END
 WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname COLLATE "C", a.attnum`;

/** A type of the schema itself named without the schema, so `a.money_amount` and `a_past.money_amount` are the same type. */
function ownTypeName(row: ColumnRow): string {
  const type = row.type as string;
  return row.own_prefix && type.startsWith(row.own_prefix) ? type.slice(row.own_prefix.length) : type;
}

type SideColumns = Map<string, { type: string; baseType: string; hasEquality: boolean }>;

/** One side's table: its kind and columns. */
interface SideTable {
  readonly kind: 'r' | 'p';
  readonly columns: SideColumns;
}

function matchColumns(table: string, live: SideTable, restored: SideTable): TableMatch {
  const columns: ComparedColumn[] = [];
  const columnTypeDifferences: ColumnTypeDifference[] = [];
  for (const [name, l] of live.columns) {
    const r = restored.columns.get(name);
    if (!r) continue;
    if (l.type !== r.type) columnTypeDifferences.push({ column: name, live: l.type, restored: r.type });
    columns.push({ name, asText: l.baseType !== r.baseType || !l.hasEquality || !r.hasEquality });
  }
  return {
    table,
    liveKind: live.kind,
    restoredKind: restored.kind,
    columns,
    columnsOnlyInLive: [...live.columns.keys()].filter((c) => !restored.columns.has(c)),
    columnsOnlyInRestored: [...restored.columns.keys()].filter((c) => !live.columns.has(c)),
    columnTypeDifferences,
  };
}

/**
 * Match the tables of a live schema with those of a restored one by name: tables on one side only
 * are listed, common tables are compared on the columns both sides have (in the live column order);
 * a column whose type has no equality, or is not the same type on both sides, is compared by its
 * text form (a tenant's own enums are one type per schema; their names count as the same type in
 * `columnTypeDifferences`; domains compare as their base type).
 * Partitions are part of their partitioned table, not tables of their own. Reads the catalog only.
 *
 * @example
 * const { tables, onlyInLive } = await matchTables(client, { live: 'customer_a1', restored: 'customer_a1_20240128143000' });
 */
export async function matchTables(client: ClientBase, options: MatchTablesOptions): Promise<SchemaMatch> {
  const { rows } = await client.query<ColumnRow>(COLUMNS_SQL, [[options.live, options.restored]]);
  const sides = new Map<string, Map<string, SideTable>>([[options.live, new Map()], [options.restored, new Map()]]);
  for (const row of rows) {
    const tables = sides.get(row.schema) as Map<string, SideTable>;
    const table: SideTable = tables.get(row.table) ?? { kind: row.kind, columns: new Map() };
    tables.set(row.table, table);
    if (row.column === null) continue;
    table.columns.set(row.column, { type: ownTypeName(row), baseType: row.base_type as string, hasEquality: row.has_equality === true });
  }
  const live = sides.get(options.live) as Map<string, SideTable>;
  const restored = sides.get(options.restored) as Map<string, SideTable>;
  return {
    tables: [...live].filter(([name]) => restored.has(name)).map(([name, l]) => matchColumns(name, l, restored.get(name) as SideTable)),
    onlyInLive: [...live.keys()].filter((name) => !restored.has(name)),
    onlyInRestored: [...restored.keys()].filter((name) => !live.has(name)),
  };
}
