import { ClientBase } from 'pg';
import { LargeObjectColumn } from './large-object-columns';
import { LargeObjectMetadata, largeObjectMetadataSql, largeObjectRoles, readLargeObjectMetadata } from './large-object-metadata';
import { createLargeObjectRecord, LargeObjectRecord, recordTable } from './large-object-record';
import { AbortedError, CopyError, MissingRolesError } from '../errors';
import { safeListener } from '../progress';
import { quoteIdent, quoteQualified } from '../quote';
import type { Abortable, WithProgress } from '../run-options';

/** Options of {@link copyLargeObjects}. */
export interface CopyLargeObjectsOptions extends Abortable, WithProgress {
  /** Source session inside the snapshot the rows were copied from (large objects are read as of it). */
  readonly source: ClientBase;
  /** Target session, not inside a transaction. */
  readonly target: ClientBase;
  /** The columns that refer to large objects (from {@link findLargeObjectColumns}); their tables are already copied. */
  readonly columns: readonly LargeObjectColumn[];
  /** Where the new large objects are written down (see {@link LargeObjectRecord}). */
  readonly record: LargeObjectRecord;
  /** Leave owners out: the copies belong to the restoring user. @default false */
  readonly skipOwnership?: boolean;
  /** Leave grants out. @default false */
  readonly skipPrivileges?: boolean;
  /** Bytes read and written at a time; an object is never held in memory whole. @default 1 MiB */
  readonly chunkBytes?: number;
}

/** What {@link copyLargeObjects} created. */
export interface CopiedLargeObjects {
  /** Large objects created in the target (one per source large object, however many rows share it). */
  readonly count: number;
  /** Bytes of content copied. */
  readonly bytes: number;
}

/** Objects created per target transaction, and the content after which a transaction is committed early. */
const BATCH_OBJECTS = 100;
const BATCH_BYTES = 64 * 1024 * 1024;

/** Stream one object's content in chunks into a new large object; returns its OID and size. */
async function copyContent(o: CopyLargeObjectsOptions, sourceOid: number, chunk: number): Promise<{ oid: number; bytes: number }> {
  const { rows } = await o.target.query<{ oid: string }>('SELECT pg_catalog.lo_create(0)::text AS oid');
  const oid = Number(rows[0].oid);
  for (let offset = 0; ; offset += chunk) {
    if (o.signal?.aborted) throw new AbortedError();
    const read = await o.source.query<{ data: Buffer }>('SELECT pg_catalog.lo_get($1::pg_catalog.oid, $2::int8, $3::int4) AS data', [sourceOid, offset, chunk]);
    const data = read.rows[0].data;
    if (data.length > 0) await o.target.query('SELECT pg_catalog.lo_put($1::pg_catalog.oid, $2::int8, $3::bytea)', [oid, offset, data]);
    if (data.length < chunk) return { oid, bytes: offset + data.length };
  }
}

async function failIfRolesMissing(target: ClientBase, metadata: readonly LargeObjectMetadata[], o: CopyLargeObjectsOptions): Promise<void> {
  const roles = largeObjectRoles(metadata, o);
  if (roles.length === 0) return;
  const { rows } = await target.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])', [roles]);
  const present = new Set(rows.map((r) => r.rolname));
  const missing = roles.filter((r) => !present.has(r));
  if (missing.length > 0) throw new MissingRolesError(missing);
}

/**
 * Give the restored rows their own large objects: every large object the columns refer to at the
 * source is copied into a new one in the target — content streamed in chunks (`lo_get` at the
 * source, `lo_put` in the target), owner, grants and comment as at the source — and each column of
 * the staging tables is rewritten to the new OIDs with one UPDATE through the record (source OID →
 * new OID). A large object shared by several rows, columns or tables is copied once and stays
 * shared. Values that are no large object at the source are left as they are.
 *
 * Each new object is written down in the record in the transaction that creates it; on failure or
 * abort the caller unlinks them with {@link unlinkRecordedLargeObjects}. Run it before post-data:
 * triggers such as the `lo` extension's `lo_manage` would unlink the old OID on UPDATE.
 *
 * @example
 * const columns = await findLargeObjectColumns(snapshot.client, mappings);
 * const { count, bytes } = await copyLargeObjects({ source: snapshot.client, target, columns, record: largeObjectRecord('pgsr_3f2a') });
 */
export async function copyLargeObjects(o: CopyLargeObjectsOptions): Promise<CopiedLargeObjects> {
  const chunk = o.chunkBytes ?? 1024 * 1024;
  const oids = [...new Set(o.columns.flatMap((c) => c.largeObjects))].sort((a, b) => a - b);
  if (oids.length === 0) return { count: 0, bytes: 0 };
  const metadata = await readLargeObjectMetadata(o.source, oids);
  await failIfRolesMissing(o.target, metadata, o);
  safeListener(o.onProgress)({ type: 'log', level: 'info', message: `copying ${oids.length} large object${oids.length === 1 ? '' : 's'} referenced by ${o.columns.length} column${o.columns.length === 1 ? '' : 's'}` });
  await createLargeObjectRecord(o.target, o.record);
  let bytes = 0;
  for (let start = 0; start < metadata.length;) {
    const batch: number[] = [];
    let batchBytes = 0;
    await o.target.query('BEGIN');
    try {
      for (; start < metadata.length && batch.length < BATCH_OBJECTS && batchBytes < BATCH_BYTES; start++) {
        const object = metadata[start];
        const copy = await copyContent(o, object.oid, chunk);
        for (const sql of largeObjectMetadataSql(copy.oid, object, o)) await o.target.query(sql);
        await o.target.query(`INSERT INTO ${recordTable(o.record)} VALUES ($1, $2)`, [object.oid, copy.oid]);
        batch.push(copy.oid);
        batchBytes += copy.bytes;
      }
      await o.target.query('COMMIT');
    } catch (err) {
      await o.target.query('ROLLBACK').catch(() => undefined);
      if (err instanceof AbortedError || o.signal?.aborted) throw new AbortedError();
      const object = metadata[start];
      const column = o.columns.find((c) => c.largeObjects.includes(object.oid)) ?? o.columns[0];
      throw new CopyError(column.schema, column.table, `copying large object ${object.oid} (referenced by ${column.schema}.${column.table}.${column.column}) failed: ${(err as Error).message}`, { cause: err });
    }
    for (const oid of batch) o.record.created.add(oid);
    bytes += batchBytes;
  }
  await rewriteColumns(o);
  return { count: metadata.length, bytes };
}

/** Point every referencing column of the staging tables at the new large objects, in one transaction. */
async function rewriteColumns(o: CopyLargeObjectsOptions): Promise<void> {
  await o.target.query('BEGIN');
  try {
    for (const c of o.columns.filter((x) => x.largeObjects.length > 0)) {
      const column = quoteIdent(c.column);
      await o.target.query(`UPDATE ONLY ${quoteQualified(c.targetSchema, c.table)} AS t SET ${column} = r.target_oid
        FROM ${recordTable(o.record)} r WHERE t.${column} = r.source_oid`);
    }
    await o.target.query('COMMIT');
  } catch (err) {
    await o.target.query('ROLLBACK').catch(() => undefined);
    const c = o.columns[0];
    throw new CopyError(c.schema, c.table, `pointing the restored rows at their large objects failed: ${(err as Error).message}`, { cause: err });
  }
}
