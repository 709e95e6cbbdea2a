import type { Client } from 'pg';
import { connect } from '../../src/connection';
import { lockRelations, lockSchemaRelations } from '../../src/ddl/lock-schema-relations';
import { createDatabase, execSql, useLocalCluster } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;

beforeAll(async () => {
  url = await createDatabase(cluster(), 'locks');
  await execSql(url, `CREATE SCHEMA "Acme-Corp"; CREATE SCHEMA other;
    CREATE TABLE "Acme-Corp"."Order Lines" (id int);
    CREATE TABLE "Acme-Corp".events (at date) PARTITION BY RANGE (at);
    CREATE TABLE "Acme-Corp".events_2024 PARTITION OF "Acme-Corp".events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE MATERIALIZED VIEW "Acme-Corp".totals AS SELECT count(*) AS n FROM "Acme-Corp"."Order Lines";
    CREATE VIEW "Acme-Corp".names AS SELECT id FROM "Acme-Corp"."Order Lines";
    CREATE TABLE other.child () INHERITS ("Acme-Corp"."Order Lines");`);
});

/** In one transaction: run `lock`, then list the relation locks this session holds, `relation mode`. */
async function locksTakenBy(lock: (client: Client) => Promise<unknown>): Promise<string[]> {
  const client = await connect(url, 'test');
  try {
    await client.query('BEGIN');
    await lock(client);
    const { rows } = await client.query<{ lock: string }>(`SELECT l.relation::regclass::text || ' ' || l.mode AS lock FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
      WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relkind IN ('r', 'p', 'm', 'v') AND c.relnamespace <> 'pg_catalog'::regnamespace ORDER BY 1`);
    await client.query('ROLLBACK');
    return rows.map((r) => r.lock);
  } finally {
    await client.end();
  }
}

test('ACCESS SHARE with matviews: every table, partition and materialized view of the schema (not its views), quoted names; what it locked is returned', async () => {
  let locked: unknown;
  expect(await locksTakenBy(async (c) => (locked = await lockSchemaRelations(c, { schemas: ['Acme-Corp'], mode: 'ACCESS SHARE', matviews: true })))).toEqual([
    '"Acme-Corp"."Order Lines" AccessShareLock', '"Acme-Corp".events AccessShareLock', '"Acme-Corp".events_2024 AccessShareLock',
    '"Acme-Corp".totals AccessShareLock', 'other.child AccessShareLock',
  ]);
  expect(locked).toEqual([
    { schema: 'Acme-Corp', name: 'Order Lines', kind: 'r' }, { schema: 'Acme-Corp', name: 'events', kind: 'p' },
    { schema: 'Acme-Corp', name: 'events_2024', kind: 'r' }, { schema: 'Acme-Corp', name: 'totals', kind: 'm' },
  ]);
});

test('ACCESS EXCLUSIVE of two schemas: their tables only, no materialized view', async () => {
  expect(await locksTakenBy((c) => lockSchemaRelations(c, { schemas: ['Acme-Corp', 'other'], mode: 'ACCESS EXCLUSIVE' }))).toEqual([
    '"Acme-Corp"."Order Lines" AccessExclusiveLock', '"Acme-Corp".events AccessExclusiveLock', '"Acme-Corp".events_2024 AccessExclusiveLock',
    'other.child AccessExclusiveLock',
  ]);
});

test('only: a plain table without its inheritance children, a partitioned table with its partitions', async () => {
  const relations = [{ schema: 'Acme-Corp', name: 'Order Lines', kind: 'r' as const }, { schema: 'Acme-Corp', name: 'events', kind: 'p' as const }];
  expect(await locksTakenBy((c) => lockRelations(c, relations, { mode: 'ACCESS SHARE', only: true }))).toEqual([
    '"Acme-Corp"."Order Lines" AccessShareLock', '"Acme-Corp".events AccessShareLock', '"Acme-Corp".events_2024 AccessShareLock',
  ]);
  expect(await locksTakenBy((c) => lockRelations(c, [], { mode: 'ACCESS EXCLUSIVE' }))).toEqual([]);
});
