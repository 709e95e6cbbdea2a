import { connect, DatabaseConnection } from '../connection';
import { quoteIdent } from '../quote';

/** The suffix a drill restores its tenants under: `_drill_` and 8 hex digits (see `runDrill`). */
export const DRILL_SUFFIX = /_drill_[0-9a-f]{8}$/;

/**
 * Drop one schema a drill restored into the scratch database, if it is there. The drill's own
 * session, never cancelled: it also runs after Ctrl-C, to leave the scratch database as it was.
 *
 * @example
 * await dropRestoredSchema(scratch, 'customer_a1_drill_1a2b3c4d');
 */
export async function dropRestoredSchema(target: DatabaseConnection, schema: string): Promise<void> {
  const client = await connect(target, 'target', 'pg-schema-restore drill');
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Find and drop what earlier drills left in the scratch database (a drill killed with `kill -9`
 * between publishing a tenant and dropping it): schemas named `<tenant>_drill_<8 hex>` whose
 * `<tenant>` is one of `tenants` (the backup's schemas). The scratch database is the drills' own
 * by contract, and one drill runs on it at a time, so such a schema is nobody's work. Returns the
 * names dropped, in order.
 *
 * @example
 * const dropped = await dropDrillLeftovers(scratch, ['customer_a1', 'customer_a2']);
 * // ['customer_a1_drill_1a2b3c4d']
 */
export async function dropDrillLeftovers(target: DatabaseConnection, tenants: readonly string[]): Promise<string[]> {
  const client = await connect(target, 'target', 'pg-schema-restore drill');
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT nspname AS name FROM pg_namespace WHERE nspname ~ \'_drill_[0-9a-f]{8}$\' ORDER BY 1');
    const wanted = new Set(tenants);
    const leftovers = rows.map((r) => r.name).filter((name) => wanted.has(name.replace(DRILL_SUFFIX, '')));
    for (const schema of leftovers) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    return leftovers;
  } finally {
    await client.end().catch(() => undefined);
  }
}
