import { ClientBase } from 'pg';
import { listTables } from './list-tables';
import { mappedOnly, SchemaMapping, targetSchemaOf } from './schema-mapping';
import { quoteIdent, quoteQualified } from '../quote';

/** A column of a restored table whose values are (or may be) large object OIDs. */
export interface LargeObjectColumn {
  /** Schema and table at the source. */
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  /** Staging schema in the target that holds the table's copy. */
  readonly targetSchema: string;
  /** Distinct values that are large objects at the source. */
  readonly largeObjects: readonly number[];
  /** Distinct non-NULL values that are no large object at the source (left as they are). */
  readonly dangling: number;
  /** One dangling value, for the warning. */
  readonly danglingExample?: string;
}

/** `oid` columns, and columns of a domain over `oid` such as the `lo` extension's `lo`. */
const CANDIDATES = `SELECT c.relname::text AS table, a.attname::text AS column, ty.typtype = 'd' AS domain
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type ty ON ty.oid = a.atttypid
  WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    AND (a.atttypid = 'pg_catalog.oid'::regtype OR (ty.typtype = 'd' AND ty.typbasetype = 'pg_catalog.oid'::regtype))
  ORDER BY c.relname, a.attnum`;

/** The distinct values of one column, split into large objects and the rest. */
function scanSql(schema: string, table: string, column: string): string {
  return `SELECT coalesce(array_agg(v.o::text ORDER BY v.o) FILTER (WHERE m.oid IS NOT NULL), '{}') AS objects,
      count(*) FILTER (WHERE m.oid IS NULL)::int AS dangling, min(v.o) FILTER (WHERE m.oid IS NULL)::text AS example
    FROM (SELECT DISTINCT t.${quoteIdent(column)}::pg_catalog.oid AS o FROM ONLY ${quoteQualified(schema, table)} t
      WHERE t.${quoteIdent(column)} IS NOT NULL) v
    LEFT JOIN pg_catalog.pg_largeobject_metadata m ON m.oid = v.o`;
}

/**
 * The columns of the schemas' tables that refer to large objects: `oid` columns holding at least one
 * value that is a large object at the source, and every column of a domain over `oid` (the `lo`
 * extension's `lo`), with the large objects each refers to. Run it on a client inside the source
 * snapshot, so the values and `pg_largeobject_metadata` are those the rows were copied from.
 *
 * @example
 * const columns = await findLargeObjectColumns(snapshot.client, [{ source: 'customer_a1', target: 'pgsr_3f2a_0' }]);
 * columns.map((c) => `${c.table}.${c.column}: ${c.largeObjects.length}`); // ['documents.content: 12']
 */
export async function findLargeObjectColumns(client: ClientBase, schemas: readonly SchemaMapping[]): Promise<LargeObjectColumn[]> {
  const found: LargeObjectColumn[] = [];
  for (const mapping of schemas) {
    const schema = mapping.source;
    const { rows } = await client.query<{ table: string; column: string; domain: boolean }>(CANDIDATES, [schema]);
    if (rows.length === 0) continue;
    // Only tables whose rows are copied (no extension members).
    const copied = new Set(mappedOnly(mapping, await listTables(client, schema)).map((t) => t.name));
    for (const { table, column, domain } of rows.filter((r) => copied.has(r.table))) {
      const scan = await client.query<{ objects: string[]; dangling: number; example: string | null }>(scanSql(schema, table, column));
      const { objects, dangling, example } = scan.rows[0];
      if (objects.length === 0 && !domain) continue; // an oid column of something else (type or table OIDs)
      found.push({
        schema,
        table,
        column,
        targetSchema: targetSchemaOf(schemas, schema),
        largeObjects: objects.map(Number),
        dangling,
        ...(example !== null ? { danglingExample: example } : {}),
      });
    }
  }
  return found;
}

/** A table by its staging schema. */
export interface StagingTable {
  readonly targetSchema: string;
  readonly table: string;
}

/**
 * The copied tables that have a column which may refer to large objects (`oid`, or a domain over
 * it), as target schema and table: a cheap catalog read, without scanning the values.
 *
 * @example
 * const tables = await largeObjectCandidateTables(snapshot.client, schemas); // [{ targetSchema: 'pgsr_…', table: 'documents' }]
 */
export async function largeObjectCandidateTables(client: ClientBase, schemas: readonly SchemaMapping[]): Promise<StagingTable[]> {
  const found: StagingTable[] = [];
  for (const { source: schema, target: targetSchema } of schemas) {
    const { rows } = await client.query<{ table: string }>(CANDIDATES, [schema]);
    for (const table of new Set(rows.map((r) => r.table))) found.push({ targetSchema, table });
  }
  return found;
}

/** `customer_a1.documents.content` */
export function describeColumn(c: Pick<LargeObjectColumn, 'schema' | 'table' | 'column'>): string {
  return `${c.schema}.${c.table}.${c.column}`;
}

/**
 * Warnings for values that are no large object at the source: they are restored as they were and
 * point at nothing of theirs (or at an unrelated large object of the target).
 *
 * @example
 * warnings.push(...danglingWarnings(columns));
 */
export function danglingWarnings(columns: readonly LargeObjectColumn[]): string[] {
  return columns.filter((c) => c.dangling > 0).map((c) => `${describeColumn(c)}: ${c.dangling} value${c.dangling === 1 ? ' is' : 's are'} ` +
    `no large object at the source (e.g. ${c.danglingExample}); restored as ${c.dangling === 1 ? 'it was, it points' : 'they were, they point'} ` +
    'at nothing, or at an unrelated large object of the target');
}
