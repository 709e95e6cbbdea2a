import { ClientBase } from 'pg';
import { SchemaNotFoundError } from '../errors';

/** A table of a schema that stores rows: an ordinary or unlogged table, or a leaf partition. */
export interface SourceTable {
  readonly schema: string;
  readonly name: string;
  /** Columns COPY transfers, in attnum order: no dropped or generated columns; identity columns included. */
  readonly columns: readonly string[];
  /** Unlogged tables are not crash-safe; the restored copy is unlogged too. */
  readonly persistence: 'permanent' | 'unlogged';
  /** Planner estimate (`reltuples`); undefined when the table was never vacuumed or analyzed. */
  readonly estimatedRows?: number;
  /** Size on disk (`pg_table_size`: heap, TOAST, free space and visibility maps), in bytes. */
  readonly estimatedBytes: number;
  /**
   * Heap pages as the catalog has them (`relpages`, as of the last VACUUM or ANALYZE; the file's
   * current size when never counted): what {@link splitTable} cuts into ctid block ranges.
   * @default - unknown: the table is not split
   */
  readonly pages?: number;
  /** The server's page size (`block_size`, normally 8192). @default 8192 */
  readonly blockSize?: number;
}

/** A materialized view, whose data is recomputed in the target rather than copied. */
export interface SourceMaterializedView {
  readonly schema: string;
  readonly name: string;
  /** Every column, in attnum order (used to compare contents). */
  readonly columns: readonly string[];
  /** Whether it holds data (`relispopulated`); one created `WITH NO DATA` and never refreshed does not. */
  readonly populated: boolean;
}

/** A sequence of a schema: standalone, `serial`-owned or backing an identity column. */
export interface SourceSequence {
  readonly schema: string;
  readonly name: string;
}

/** Everything with data in one schema. */
export interface SchemaObjects {
  readonly tables: SourceTable[];
  readonly materializedViews: SourceMaterializedView[];
  readonly sequences: SourceSequence[];
}

// Objects that belong to an extension are not dumped by pg_dump, so there is nothing to copy them into.
const NOT_EXTENSION_MEMBER = `NOT EXISTS (SELECT 1 FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

// Generated columns are recomputed by the target, and COPY refuses to write them.
const COLUMNS = `coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''), '{}') AS columns`;

/**
 * Tables of a schema that hold rows, by name: ordinary and unlogged tables and leaf partitions
 * (relkind `r`). Partitioned parents (no storage), foreign tables and views are left out.
 * Run it on a client inside the source snapshot so the list matches the data the workers see.
 *
 * @example
 * const tables = await listTables(snapshot.client, 'customer_a1');
 */
export async function listTables(client: ClientBase, schema: string): Promise<SourceTable[]> {
  type Row = { name: string; persistence: string; reltuples: number; bytes: string; pages: string; block_size: string; columns: string[] };
  const { rows } = await client.query<Row>(
    `SELECT c.relname::text AS name, c.relpersistence AS persistence, c.reltuples::float8 AS reltuples,
       pg_table_size(c.oid)::text AS bytes, current_setting('block_size') AS block_size,
       (CASE WHEN c.relpages > 0 THEN c.relpages
        ELSE pg_relation_size(c.oid) / current_setting('block_size')::int END)::text AS pages, ${COLUMNS}
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relpersistence IN ('p', 'u') AND ${NOT_EXTENSION_MEMBER}
     ORDER BY c.relname`, [schema]);
  return rows.map((r) => ({
    schema,
    name: r.name,
    columns: r.columns,
    persistence: r.persistence === 'u' ? 'unlogged' : 'permanent',
    estimatedRows: r.reltuples < 0 ? undefined : r.reltuples,
    estimatedBytes: Number(r.bytes),
    pages: Number(r.pages),
    blockSize: Number(r.block_size),
  }));
}

/**
 * Materialized views of a schema, by name, with whether each is populated.
 *
 * @example
 * const toRefresh = (await listMaterializedViews(snapshot.client, 'customer_a1')).filter((m) => m.populated);
 */
export async function listMaterializedViews(client: ClientBase, schema: string): Promise<SourceMaterializedView[]> {
  const { rows } = await client.query<{ name: string; populated: boolean; columns: string[] }>(
    `SELECT c.relname::text AS name, c.relispopulated AS populated, ${COLUMNS}
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'm' AND ${NOT_EXTENSION_MEMBER}
     ORDER BY c.relname`, [schema]);
  return rows.map((r) => ({ schema, name: r.name, columns: r.columns, populated: r.populated }));
}

/**
 * Sequences of a schema, by name — standalone ones and those behind `serial` and identity columns.
 *
 * @example
 * const sequences = await listSequences(snapshot.client, 'customer_a1');
 */
export async function listSequences(client: ClientBase, schema: string): Promise<SourceSequence[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'S' AND ${NOT_EXTENSION_MEMBER}
     ORDER BY c.relname`, [schema]);
  return rows.map((r) => ({ schema, name: r.name }));
}

/**
 * Whether a schema exists.
 *
 * @example
 * if (!(await schemaExists(client, 'customer_a1'))) throw new SchemaNotFoundError('customer_a1', 'the source');
 */
export async function schemaExists(client: ClientBase, schema: string): Promise<boolean> {
  return Boolean((await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount);
}

/**
 * Tables, materialized views and sequences of a schema; throws {@link SchemaNotFoundError} when the
 * schema does not exist (the other `list…` functions return empty lists then).
 *
 * @example
 * const { tables, materializedViews, sequences } = await listSchemaObjects(snapshot.client, 'customer_a1');
 */
export async function listSchemaObjects(client: ClientBase, schema: string, where = 'the source'): Promise<SchemaObjects> {
  if (!(await schemaExists(client, schema))) throw new SchemaNotFoundError(schema, where);
  return {
    tables: await listTables(client, schema),
    materializedViews: await listMaterializedViews(client, schema),
    sequences: await listSequences(client, schema),
  };
}
