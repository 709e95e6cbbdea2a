import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRestore, ProgressEvent, restoreSchema } from '../src';
import { archiveCurrentWal, dumpDatabase, LocalCluster, serverWritableDir, startLocalCluster, takeBaseBackup, walArchivingSettings } from '../src/local';
import { comparableDump } from './support/dump';
import { execSql, tableDigest, useLocalCluster, withClient } from './support/postgres';
import { createSampleDatabases } from '../src/sample';

/** What customer_a1 looked like at one moment: its definition, every table's digest, every sequence's position. */
interface SchemaState {
  readonly ddl: string;
  readonly tables: Record<string, { rows: number; md5: string }>;
  readonly sequences: Record<string, number>;
}

async function captureState(cluster: LocalCluster, schema: string): Promise<SchemaState> {
  const url = cluster.url('tenant_a');
  return withClient(url, async (c) => {
    const rels = await c.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY 1`, [schema]);
    const tables: SchemaState['tables'] = {};
    for (const { name } of rels.rows) tables[name] = await tableDigest(c, schema, name);
    const seqs = await c.query<{ name: string; last: string | null }>('SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = $1', [schema]);
    const sequences = Object.fromEntries(seqs.rows.map((r) => [r.name, Number(r.last ?? 0)]));
    return { ddl: comparableDump(cluster, 'tenant_a', ['--schema-only', '-n', schema]), tables, sequences };
  });
}


describe('restoreSchema from backups: the schema exactly as it was at the restore point', () => {
  const target = useLocalCluster(); // live
  let production: LocalCluster;
  let work: string;
  let atDump: SchemaState;
  let atT: SchemaState;
  let dumpedAt: Date;
  let t: Date;
  let tempDir: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pgsr-backups-test-'));
    chmodSync(work, 0o755); // the server's OS user writes the WAL archive and the base backup inside it
    const walArchive = serverWritableDir(join(work, 'wal'));
    production = await startLocalCluster({ settings: walArchivingSettings(walArchive) });
    await createSampleDatabases(production, { rows: 60 });
    await createSampleDatabases(target(), { rows: 60 });
    await execSql(production.url('tenant_a'), 'CREATE UNLOGGED TABLE customer_a1.sessions (id int PRIMARY KEY, token text); INSERT INTO customer_a1.sessions SELECT g, md5(g::text) FROM generate_series(1, 10) g');
    await takeBaseBackup(production, join(work, 'base'));
    dumpedAt = new Date();
    await dumpDatabase(production, 'tenant_a', join(work, 'tenant_a.dump'));
    atDump = await captureState(production, 'customer_a1');
    // Business after the dump, then T, then an incident.
    await execSql(production.url('tenant_a'), `
      INSERT INTO customer_a1.orders (user_id, status, status_history, ordered_at) SELECT id, 'paid', '{pending,paid}', now() FROM customer_a1.users LIMIT 7;
      UPDATE customer_a1.users SET full_name = 'renamed before T' WHERE id = 1`);
    atT = await captureState(production, 'customer_a1');
    t = await withClient(production.url('postgres'), async (c) => (await c.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Recovery stops at the first commit after T. Sequence changes are not transactional: those of the
    // transaction it stops at are replayed too, so that first one draws no sequence values.
    await execSql(production.url('tenant_a'), 'DELETE FROM customer_a1.order_items');
    await execSql(production.url('tenant_a'), `
      DELETE FROM customer_a1.orders WHERE id % 2 = 0;
      INSERT INTO customer_a1.orders (user_id, status, status_history, ordered_at) SELECT id, 'paid', '{pending,paid}', now() FROM customer_a1.users LIMIT 3;
      UPDATE customer_a1.users SET full_name = 'after T'`);
    await archiveCurrentWal(production);
    tempDir = join(work, 'temporary-servers');
    mkdirSync(tempDir);
  }, 300_000);

  afterAll(async () => {
    await production?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function expectRestoredAs(state: SchemaState, restored: SchemaState, options: { sequencesAhead: number }): void {
    expect(restored.ddl).toBe(state.ddl);
    expect(restored.tables).toEqual(state.tables);
    for (const [name, value] of Object.entries(state.sequences)) {
      expect(restored.sequences[name]).toBeGreaterThanOrEqual(value);
      expect(restored.sequences[name]).toBeLessThanOrEqual(value + options.sequencesAhead);
    }
  }

  async function restoredState(name: string): Promise<SchemaState> {
    const state = await captureState(target(), name);
    return { ...state, ddl: state.ddl.split(name).join('customer_a1') };
  }

  test('from a pg_dump archive: the state at dump time, restore point = the dump time, temporary server removed', async () => {
    const events: ProgressEvent[] = [];
    const report = await restoreSchema({
      source: { kind: 'dump', path: join(work, 'tenant_a.dump') }, target: target().url('tenant_a'), schemas: ['customer_a1'], suffix: '_dump', tempDir, onProgress: (e) => events.push(e),
    });
    expectRestoredAs(atDump, await restoredState('customer_a1_dump'), { sequencesAhead: 0 });
    expect(Math.abs(new Date(report.restorePoint).getTime() - dumpedAt.getTime())).toBeLessThan(2_000);
    expect(events.filter((e) => e.type === 'phase' && e.phase === 'source').map((e) => e.type === 'phase' && e.status)).toEqual(['start', 'done']);
    expect(readdirSync(tempDir)).toEqual([]);
  }, 120_000);

  test('from a base backup + WAL archive at T: rows written after T absent, rows deleted after T present, unlogged table empty and reported', async () => {
    const report = await restoreSchema({
      source: { kind: 'pitr', baseBackup: join(work, 'base'), walArchive: join(work, 'wal'), targetTime: t },
      target: target().url('tenant_a'),
      schemas: ['customer_a1'],
      tempDir,
    });
    const name = report.schemas[0].restored;
    expect(report.restorePoint).toBe(t.toISOString());
    expect(name).toBe(`customer_a1_${t.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`);
    const restored = await restoredState(name);
    // Unlogged tables are not in WAL: the definition comes back, the rows do not.
    expect(restored.tables.sessions.rows).toBe(0);
    expect(report.warnings.join('\n')).toMatch(/unlogged table customer_a1\.sessions/);
    const { sessions: _ignored, ...loggedAtT } = atT.tables;
    const { sessions: _empty, ...loggedRestored } = restored.tables;
    expectRestoredAs({ ...atT, tables: loggedAtT }, { ...restored, tables: loggedRestored }, { sequencesAhead: 32 });
    expect(readdirSync(tempDir)).toEqual([]);
  }, 180_000);

  test('planRestore (--dry-run) on a base backup checks it against T and creates nothing', async () => {
    const plan = await planRestore({
      source: { kind: 'pitr', baseBackup: join(work, 'base'), walArchive: join(work, 'wal'), targetTime: t },
      target: target().url('tenant_a'),
      schemas: ['customer_a1'],
      suffix: '_plan',
      tempDir,
    });
    expect(plan.restorePoint).toBe(t.toISOString());
    expect(plan.source).toMatch(/^base backup .*base \(plain format, PostgreSQL \d+ taken .*\) \+ WAL archive .*wal \(\d+ segments\)$/);
    expect(plan.schemas).toEqual([{ source: 'customer_a1', restored: 'customer_a1_plan', tables: undefined }]);
    expect(plan.steps[0]).toMatch(/^recover the base backup up to /);
    expect(plan.steps[plan.steps.length - 1]).toBe('remove the temporary server');
    expect(readdirSync(tempDir)).toEqual([]);
    const early = new Date(Date.parse(plan.restorePoint!) - 24 * 3600_000);
    await expect(planRestore({
      source: { kind: 'pitr', baseBackup: join(work, 'base'), walArchive: join(work, 'wal'), targetTime: early }, target: target().url('tenant_a'), schemas: ['customer_a1'],
    })).rejects.toMatchObject({ code: 'TARGET_BEFORE_BACKUP' });
  });
});
