import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent, RestoreReport, restoreSchema, RestoreSchemaOptions } from '../src';
import { Ledger, memoryLedgerStore } from '../src/aws';
import { backupDatabase } from '../src/backups/backup-database';
import { archiveCurrentWal, dumpDatabase, LocalCluster, serverWritableDir, startLocalCluster, takeBaseBackup, walArchivingSettings } from '../src/local';
import { createSampleDatabases } from '../src/sample';
import { execSql, objectsOf, schemaNames, stagingLikeSchemas, tableDigest, useLocalCluster, withClient } from './support/postgres';
import { fakeRds } from './support/rds';
import { useLocalS3 } from './support/s3';

const PASSWORD = 'rds-master-pw';
const AT = new Date('2024-01-28T14:30:00Z');
const ONE_TENANT = { tenant_a: ['customer_a1'] };
const UNLOGGED_SESSIONS = "CREATE UNLOGGED TABLE customer_a1.sessions (id int PRIMARY KEY, token text); INSERT INTO customer_a1.sessions VALUES (1, 'a')";

/**
 * What a table-level restore of customer_a1.orders creates: the table, its indexes and serial
 * sequence, the enum and domain of its columns, the function of its invoice number default, its
 * trigger functions. Not users (its foreign key is left out), products, order_items or audit_log;
 * nor invoice_number_seq, which only the quoted SQL body of next_invoice_number() names (a warning says so;
 * naming it with --table too would bring it).
 */
const ORDERS_AND_NEEDS = {
  relations: ['orders', 'orders_id_seq', 'orders_invoice_number_key', 'orders_pending_idx', 'orders_pkey', 'orders_user_ordered_at_idx'],
  types: ['money_amount', 'order_status'],
  functions: ['audit_row_change', 'next_invoice_number', 'touch_updated_at'],
};

describe('restoreSchema with tables from a base backup + WAL, RDS, and a pg_dump archive or backup run in S3: one table and what it needs, nothing else', () => {
  const live = useLocalCluster();
  const rdsInstance = useLocalCluster({ password: PASSWORD }); // what RDS restored, reachable at the mocked endpoint
  const s3 = useLocalS3(['backups']);
  let production: LocalCluster;
  let work: string;
  let tempDir: string;
  let t: Date;
  let ordersAtDump: { rows: number; md5: string };
  let ordersAtT: { rows: number; md5: string };
  let orderSeqAtT: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pgsr-tables-sources-'));
    chmodSync(work, 0o755); // the servers run as the postgres OS user when we are root
    const walArchive = serverWritableDir(join(work, 'wal'));
    production = await startLocalCluster({ baseDir: work, settings: walArchivingSettings(walArchive) });
    await createSampleDatabases(production, { rows: 30, databases: ONE_TENANT });
    await createSampleDatabases(live(), { rows: 5, databases: ONE_TENANT });
    await createSampleDatabases(rdsInstance(), { rows: 20, databases: ONE_TENANT });
    // Unlogged: recovery brings it back empty, which matters only to a restore that includes it.
    for (const server of [production, rdsInstance()]) await execSql(server.url('tenant_a'), UNLOGGED_SESSIONS);
    await takeBaseBackup(production, join(work, 'base'));
    const dump = join(work, 'tenant_a.dump');
    await dumpDatabase(production, 'tenant_a', dump);
    await s3().put('backups', 'tenant_a/nightly.dump', readFileSync(dump));
    const tenantA = production.url('tenant_a');
    ordersAtDump = await tableDigest(tenantA, 'customer_a1', 'orders');
    // Business after the dump, then T, then changes recovery must not replay.
    await execSql(tenantA, "INSERT INTO customer_a1.orders (user_id, status, ordered_at) SELECT id, 'paid', now() FROM customer_a1.users LIMIT 4");
    ordersAtT = await tableDigest(tenantA, 'customer_a1', 'orders');
    orderSeqAtT = await withClient(tenantA, async (c) => Number((await c.query('SELECT last_value FROM customer_a1.orders_id_seq')).rows[0].last_value));
    t = await withClient(tenantA, async (c) => (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Recovery stops before the first commit after T; sequence changes are replayed up to it, so it draws none.
    await execSql(tenantA, 'DELETE FROM customer_a1.orders WHERE id = 1');
    await execSql(tenantA, `INSERT INTO customer_a1.orders (user_id, status, shipping, ordered_at) SELECT id, 'paid', '{"after": "T"}', now() FROM customer_a1.users LIMIT 3;
      UPDATE customer_a1.orders SET total = 999 WHERE id = 2`);
    await archiveCurrentWal(production);
    tempDir = join(work, 'temporary-servers');
    mkdirSync(tempDir);
  }, 180_000);

  afterAll(async () => {
    await production?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * Restore customer_a1.orders alone into live's tenant_a and check what changed there: one new
   * schema holding exactly orders and its needs, nothing else (no other schema, nothing in public,
   * no staging schema, no temporary server left). Returns the report and the restored schema's name.
   */
  async function restoreOrders(options: Pick<RestoreSchemaOptions, 'source'> & Partial<RestoreSchemaOptions>): Promise<{ report: RestoreReport; restored: string }> {
    const target = live().url('tenant_a');
    const schemasBefore = await schemaNames(target);
    const publicBefore = await objectsOf(target, 'public');
    const report = await restoreSchema({ target, schemas: ['customer_a1'], tables: ['customer_a1.orders'], tempDir, ...options });
    const restored = report.schemas[0].restored;
    expect(await schemaNames(target)).toEqual([...schemasBefore, restored].sort());
    expect(await objectsOf(target, 'public')).toEqual(publicBefore);
    expect(await stagingLikeSchemas(target)).toEqual([]);
    expect(await objectsOf(target, restored)).toEqual(ORDERS_AND_NEEDS);
    expect(report.warnings).toContainEqual('foreign key orders_user_id_fkey of customer_a1.orders references customer_a1.users, which is not among the restored tables: left out');
    expect(report.warnings.filter((w) => w.includes('unlogged'))).toEqual([]); // sessions is not restored
    expect(report.warnings).toContainEqual(expect.stringMatching(
      /^functions customer_a1\.audit_row_change, customer_a1\.next_invoice_number, customer_a1\.touch_updated_at are restored with the chosen tables, but /));
    expect(readdirSync(tempDir)).toEqual([]);
    return { report, restored };
  }

  test('from a base backup + WAL archive at T: orders as it was at T, rows written after T absent, rows deleted after T back', async () => {
    const { report, restored } = await restoreOrders({ source: { kind: 'pitr', baseBackup: join(work, 'base'), walArchive: join(work, 'wal'), targetTime: t } });
    expect(report.restorePoint).toBe(t.toISOString());
    const target = live().url('tenant_a');
    expect(await tableDigest(target, restored, 'orders')).toEqual(ordersAtT);
    await withClient(target, async (c) => {
      const q = (sql: string) => c.query(sql.replace('$s', quoteIdent(restored)));
      expect((await q('SELECT count(*)::int AS n FROM $s.orders WHERE shipping IS NOT NULL AND shipping ? \'after\'')).rows[0].n).toBe(0);
      expect((await q('SELECT count(*)::int AS n FROM $s.orders WHERE id = 1')).rows[0].n).toBe(1);
      expect((await q('SELECT count(*)::int AS n FROM $s.orders WHERE total = 999')).rows[0].n).toBe(0);
      const seq = Number((await q('SELECT last_value FROM $s.orders_id_seq')).rows[0].last_value);
      expect(seq).toBeGreaterThanOrEqual(orderSeqAtT);
      expect(seq).toBeLessThanOrEqual(orderSeqAtT + 32); // sequences are WAL-logged 32 values ahead
    });
  }, 120_000);

  test('from a base backup + WAL archive: an unlogged table chosen comes back empty, with the warning; an unknown table is refused when recovered', async () => {
    const pitr = { kind: 'pitr' as const, baseBackup: join(work, 'base'), walArchive: join(work, 'wal'), targetTime: t };
    const target = live().url('tenant_a');
    const report = await restoreSchema({ source: pitr, target, schemas: ['customer_a1'], tables: ['customer_a1.sessions'], suffix: '_unlogged', tempDir });
    expect(report.warnings).toEqual(['unlogged table customer_a1.sessions came back empty: unlogged tables are not written to WAL, so no backup can recover their rows']);
    expect(await objectsOf(target, 'customer_a1_unlogged')).toEqual({ relations: ['sessions', 'sessions_pkey'], types: [], functions: [] });
    expect(await tableDigest(target, 'customer_a1_unlogged', 'sessions')).toMatchObject({ rows: 0 });

    const schemasBefore = await schemaNames(target);
    const err = await restoreSchema({ source: pitr, target, schemas: ['customer_a1'], tables: ['customer_a1.session'], suffix: '_bad', tempDir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TABLE_NOT_FOUND', message: `table "customer_a1.session" does not exist in the database "tenant_a" as of ${t.toISOString().replace('.000Z', 'Z')}; check the name (schema.table, case-sensitive)` });
    expect(await schemaNames(target)).toEqual(schemasBefore);
    expect(readdirSync(tempDir)).toEqual([]);
  }, 120_000);

  test.each([
    ['to a point in time', 'r-pitr', { restoreTime: AT }, AT],
    ['from a snapshot', 'r-snap', { snapshotId: 'nightly' }, new Date('2024-01-27T03:00:00Z')],
  ])('from RDS %s: orders from the temporary instance, which is deleted afterwards', async (_how, restoreId, restore, restorePoint) => {
    const rds = fakeRds({
      endpoint: { Address: '127.0.0.1', Port: rdsInstance().port },
      instanceStatuses: ['available'],
      snapshots: [{ DBSnapshotIdentifier: 'nightly', DBInstanceIdentifier: 'prod-db', Status: 'available', SnapshotCreateTime: new Date('2024-01-27T03:00:00Z'), Engine: 'postgres' }],
    });
    const ledger = new Ledger(memoryLedgerStore(), restoreId);
    const { report, restored } = await restoreOrders({
      source: { kind: 'rds', id: 'prod-db', credentials: { username: 'postgres', password: PASSWORD }, ...restore },
      clients: { rds: rds.client },
      ledger,
      tls: false, // the local server has no TLS; RDS connections verify it
    });
    expect(report.restorePoint).toBe(restorePoint.toISOString());
    expect(await tableDigest(live().url('tenant_a'), restored, 'orders')).toEqual(await tableDigest(rdsInstance().url('tenant_a'), 'customer_a1', 'orders'));
    expect(rds.deleted).toEqual([`pgsr-${restoreId}`]);
    expect(await ledger.entries()).toEqual([]);
  }, 60_000);

  test('from a pg_dump archive in S3: orders as dumped; the throwaway server loaded only the rows it needs', async () => {
    const logs: string[] = [];
    const { restored } = await restoreOrders({
      source: { kind: 'dump', path: 's3://backups/tenant_a/nightly.dump' },
      clients: { s3: s3().client },
      suffix: '_s3',
      onProgress: (e) => { if (e.type === 'log') logs.push(e.message); },
    });
    expect(restored).toBe('customer_a1_s3');
    // users comes along because the key of orders references it (pg_restore validates keys); the rest does not.
    expect(logs).toContain('loaded only the rows the chosen tables need: not those of customer_a1.audit_log, customer_a1.order_items, customer_a1.products, customer_a1.sessions');
    expect(await tableDigest(live().url('tenant_a'), restored, 'orders')).toEqual(ordersAtDump);
  }, 120_000);

  test('from a backup run in S3: orders as backed up', async () => {
    await backupDatabase({ source: production.url('tenant_a'), to: 's3://backups/runs/', s3: { client: s3().client } }); // every schema: customer_a1 needs public (citext, countries)
    const ordersNow = await tableDigest(production.url('tenant_a'), 'customer_a1', 'orders');
    const { restored } = await restoreOrders({ source: { kind: 'backup', location: 's3://backups/runs/tenant_a/' }, clients: { s3: s3().client }, suffix: '_run' });
    expect(await tableDigest(live().url('tenant_a'), restored, 'orders')).toEqual(ordersNow);
  }, 120_000);
});
