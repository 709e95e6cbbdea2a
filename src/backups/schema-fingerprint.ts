import type { ClientBase } from 'pg';
import type { ManifestRelation, ManifestSequence } from './backup-manifest';
import { listMaterializedViews, listSequences, listTables } from '../copy/list-tables';
import { readSequencePosition } from '../copy/sequence-positions';
import { checksumRelation } from '../validate/checksum-relation';

/** What a schema holds, as a manifest records it. */
export interface SchemaFingerprint {
  readonly relations: ManifestRelation[];
  readonly sequences: ManifestSequence[];
}

/**
 * Count and checksum every table and populated materialized view of a schema, exactly as
 * `validateRestore` does (same columns, same hash, same session settings), and read its sequences'
 * positions. Run it in the backup's snapshot so that it describes the archive pg_dump wrote.
 *
 * @example
 * const client = await connectInSnapshot(source, snapshot.id);
 * const { relations, sequences } = await fingerprintSchema(client, 'customer_a1');
 */
export async function fingerprintSchema(client: ClientBase, schema: string, signal?: AbortSignal): Promise<SchemaFingerprint> {
  const relations: ManifestRelation[] = [];
  for (const table of await listTables(client, schema)) {
    signal?.throwIfAborted();
    const { rows, checksum } = await checksumRelation(client, schema, table.name, table.columns);
    relations.push({ name: table.name, kind: 'table', columns: table.columns, rows, checksum });
  }
  for (const view of await listMaterializedViews(client, schema)) {
    signal?.throwIfAborted();
    const sum = view.populated ? await checksumRelation(client, schema, view.name, view.columns) : undefined;
    relations.push({ name: view.name, kind: 'materialized view', columns: view.columns, rows: sum?.rows, checksum: sum?.checksum });
  }
  const sequences: ManifestSequence[] = [];
  for (const { name } of await listSequences(client, schema)) sequences.push({ name, ...await readSequencePosition(client, schema, name) });
  return { relations, sequences };
}
