import { ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../../quote';

/** The largest value of a schema: where it is and its size. */
export interface LargestValue {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  /** Size in bytes: raw bytes for `bytea`, the UTF-8 text form for everything else. */
  readonly bytes: number;
}

/** Options of {@link measureLargestValue}. */
export interface MeasureLargestValueOptions {
  /** A connection to the source (ideally inside the snapshot the load reads). */
  readonly source: ClientBase;
  readonly schema: string;
}

/**
 * The largest value actually stored in any variable-length column (text, varchar, bytea, json,
 * jsonb, xml, arrays, composites, …) of the tables of a schema, or undefined when there is none.
 * DMS moves such columns as LOBs; sizing limited LOB mode from this value means nothing is cut off.
 * It reads every such column of every table: one scan of the data.
 *
 * @example
 * const largest = await measureLargestValue({ source: client, schema: 'customer_a1' });
 * const lob = chooseLobMode(largest?.bytes ?? 0);
 */
export async function measureLargestValue(options: MeasureLargestValueOptions): Promise<LargestValue | undefined> {
  const { source, schema } = options;
  const { rows: columns } = await source.query<{ table: string; column: string; bytea: boolean }>(
    `SELECT c.relname::text AS table, a.attname::text AS column, coalesce(bt.typname, t.typname) = 'bytea' AS bytea
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
     WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
       AND coalesce(bt.typlen, t.typlen) = -1
     ORDER BY c.relname, a.attnum`, [schema]);
  const byTable = new Map<string, { column: string; bytea: boolean }[]>();
  for (const c of columns) byTable.set(c.table, [...byTable.get(c.table) ?? [], c]);
  let largest: LargestValue | undefined;
  for (const [table, cols] of byTable) {
    const sizes = cols.map((c, i) => `max(octet_length(${quoteIdent(c.column)}${c.bytea ? '::bytea' : '::text'}))::float8 AS "${i}"`);
    const { rows } = await source.query<Record<string, number | null>>(`SELECT ${sizes.join(', ')} FROM ONLY ${quoteQualified(schema, table)}`);
    cols.forEach((c, i) => {
      const bytes = rows[0][String(i)];
      if (bytes !== null && bytes > (largest?.bytes ?? -1)) largest = { schema, table, column: c.column, bytes };
    });
  }
  return largest;
}

/**
 * Generated columns of the tables of a schema, which a load must leave out (the target computes them).
 *
 * @example
 * const generated = await listGeneratedColumns(client, 'customer_a1'); // [{ table: 'orders', column: 'total' }]
 */
export async function listGeneratedColumns(source: ClientBase, schema: string): Promise<{ table: string; column: string }[]> {
  const { rows } = await source.query<{ table: string; column: string }>(
    `SELECT c.relname::text AS table, a.attname::text AS column
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''
     ORDER BY c.relname, a.attnum`, [schema]);
  return rows;
}

/**
 * Partitioned parents of a schema: they hold no rows, and reading one would return its partitions'
 * rows a second time, so a load leaves them out.
 *
 * @example
 * const parents = await listPartitionedTables(client, 'customer_a1'); // ['events']
 */
export async function listPartitionedTables(source: ClientBase, schema: string): Promise<string[]> {
  const { rows } = await source.query<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'p' ORDER BY c.relname`, [schema]);
  return rows.map((r) => r.name);
}
