import { ClientBase } from 'pg';
import { quoteIdent, quoteLiteral, quoteQualified } from '../quote';

/**
 * Where a restore writes down the large objects it creates in the target. They live outside the
 * staging schemas, so dropping those does not remove them: each is recorded in the table
 * `<schema>.large_objects` (source OID → new OID) in the same transaction that creates it, so even
 * after a crash the record names every one; `created` holds the committed ones in memory too.
 * The record's schema is a staging schema of its own (`pgsr_<id>_lo`), so its table can never
 * collide with a restored one; publishing drops it, cleanup unlinks what it lists and drops it.
 */
export interface LargeObjectRecord {
  /** Schema holding the record table, e.g. `pgsr_3f2a9c01b2d4_lo`. */
  readonly schema: string;
  /** New large objects whose creation was committed. */
  readonly created: Set<number>;
  /** The schema's comment: the restore's staging marker, so `cleanup --local` finds the record after a crash. */
  readonly marker?: string;
}

/** Whether a schema name is that of a large-object record (`pgsr_<id>_lo`). */
export const isLargeObjectRecordSchema = (schema: string): boolean => /^pgsr_.*_lo$/.test(schema);

/**
 * A record for the restore whose staging schemas are named `<prefix>_<n>`.
 *
 * @example
 * const record = largeObjectRecord('pgsr_3f2a9c01b2d4'); // schema pgsr_3f2a9c01b2d4_lo
 */
export function largeObjectRecord(stagingPrefix: string, marker?: string): LargeObjectRecord {
  return { schema: `${stagingPrefix}_lo`, created: new Set(), marker };
}

/** The record table, quoted and qualified: `"pgsr_…_lo"."large_objects"`. */
export function recordTable(record: LargeObjectRecord): string {
  return quoteQualified(record.schema, 'large_objects');
}

/**
 * Create the record's schema and table (empty).
 *
 * @example
 * await createLargeObjectRecord(target, record);
 */
export async function createLargeObjectRecord(client: ClientBase, record: LargeObjectRecord): Promise<void> {
  await client.query(`CREATE SCHEMA ${quoteIdent(record.schema)};
    CREATE TABLE ${recordTable(record)} (source_oid pg_catalog.oid PRIMARY KEY, target_oid pg_catalog.oid NOT NULL UNIQUE)
    ${record.marker ? `; COMMENT ON SCHEMA ${quoteIdent(record.schema)} IS ${quoteLiteral(record.marker)}` : ''}`);
}

/**
 * The statement that removes the record (not the large objects) when the restore is published.
 *
 * @example
 * await applyDdl(target, [dropLargeObjectRecordSql(record), ...renames]);
 */
export function dropLargeObjectRecordSql(record: LargeObjectRecord): string {
  return `DROP SCHEMA IF EXISTS ${quoteIdent(record.schema)} CASCADE`;
}

/**
 * Unlink every large object the record lists (in its table and in memory) that still exists, then
 * drop the record: what a failed or aborted restore leaves of its large objects is nothing.
 * Returns how many were unlinked.
 *
 * @example
 * await unlinkRecordedLargeObjects(target, record);
 */
export async function unlinkRecordedLargeObjects(client: ClientBase, record: LargeObjectRecord): Promise<number> {
  const { rows } = await client.query<{ table: string | null }>('SELECT pg_catalog.to_regclass($1)::text AS table', [recordTable(record)]);
  const recorded = rows[0].table === null ? '' : `UNION SELECT target_oid FROM ${recordTable(record)}`;
  const unlinked = await client.query(`SELECT pg_catalog.lo_unlink(o.oid) FROM (SELECT unnest($1::pg_catalog.oid[]) AS oid ${recorded}) o
    WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = o.oid)`, [[...record.created]]);
  await client.query(dropLargeObjectRecordSql(record));
  record.created.clear();
  return unlinked.rowCount ?? 0;
}
