import { Client } from 'pg';
import { quoteIdent } from '../quote';

const DROP_BY_KIND: Record<string, string> = {
  r: 'TABLE', p: 'TABLE', f: 'FOREIGN TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE',
};

/**
 * Relations dropped per statement: each takes locks on itself, its indexes, TOAST table, row types,
 * constraints and defaults, and the whole lock table holds only `max_locks_per_transaction` ×
 * connections — one `DROP SCHEMA … CASCADE` of thousands of tables runs out of shared memory.
 *
 * @example
 * await dropBatchSize(client); // 8 on default settings (max_locks_per_transaction = 64)
 */
export async function dropBatchSize(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>("SELECT current_setting('max_locks_per_transaction') AS n");
  return Math.max(1, Math.floor(Number(rows[0].n) / 8));
}

/**
 * Drop one schema and everything in it in statements that each fit the lock table: relations in
 * batches of `batchSize` (leaf partitions first), then routines likewise, then the schema with
 * what remains (types, operators…). Every statement commits on its own, so a retry after a
 * failure continues where this one stopped.
 *
 * @example
 * await dropSchemaInBatches(target, 'pgsr_4f1c2a9e0b7d_0', { batchSize: 8 });
 */
export async function dropSchemaInBatches(client: Client, schema: string, o: { batchSize: number }): Promise<void> {
  const { rows: relations } = await client.query<{ name: string; relkind: string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relkind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
      ORDER BY c.relispartition DESC, c.relkind, c.oid`, [schema]);
  for (const kind of Object.keys(DROP_BY_KIND)) {
    const names = relations.filter((r) => r.relkind === kind).map((r) => r.name);
    for (let i = 0; i < names.length; i += o.batchSize) {
      await client.query(`DROP ${DROP_BY_KIND[kind]} IF EXISTS ${names.slice(i, i + o.batchSize).join(', ')} CASCADE`);
    }
  }
  const { rows: routines } = await client.query<{ signature: string }>(
    "SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') ORDER BY p.oid",
    [schema]);
  for (let i = 0; i < routines.length; i += o.batchSize) {
    await client.query(`DROP ROUTINE IF EXISTS ${routines.slice(i, i + o.batchSize).map((r) => r.signature).join(', ')} CASCADE`);
  }
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}
