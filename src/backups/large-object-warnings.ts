import type { ClientBase } from 'pg';
import { describeColumn, findLargeObjectColumns } from '../copy/large-object-columns';

/**
 * One warning per column whose rows refer to large objects: `pg_dump -n` leaves large objects out
 * of a per-schema archive, so those rows come back pointing at nothing and a restore from the
 * backup fails its check against the manifest for that table. Run it in the backup's snapshot.
 *
 * @example
 * for (const message of await largeObjectWarnings(snapshot.client, ['customer_a1'])) emit({ type: 'log', level: 'warn', message });
 */
export async function largeObjectWarnings(client: ClientBase, schemas: readonly string[]): Promise<string[]> {
  const columns = await findLargeObjectColumns(client, schemas.map((schema) => ({ source: schema, target: schema })));
  return columns.filter((c) => c.largeObjects.length > 0).map((c) => `${describeColumn(c)} refers to ${c.largeObjects.length} large object(s), ` +
    'which per-schema archives leave out (pg_dump -n): a restore from this backup cannot bring them back; ' +
    'keep such tables in a whole-database pg_dump (it includes large objects) or store the content in bytea');
}
