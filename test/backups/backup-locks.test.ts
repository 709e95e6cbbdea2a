import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { backupDatabase } from '../../src/backups/backup-database';
import { openBackupStore } from '../../src/backups/backup-store';
import { dumpSchemaArchive } from '../../src/backups/dump-schema-archive';
import { isPgDumpLockWait } from '../../src/backups/schema-locks';
import { openSourceSnapshot } from '../../src/connection/source-snapshot';
import { LockTimeoutError } from '../../src/errors';
import { findPostgresBinaries } from '../../src/local/postgres-binaries';
import type { ProgressEvent } from '../../src/progress';
import { createSampleDatabases } from '../../src/testing';
import { createDatabase, execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;
let dir: string;

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 20, databases: { app: ['customer_a1'] } })).app;
  await execSql(url, 'CREATE SCHEMA locked; CREATE TABLE locked.t AS SELECT g AS id FROM generate_series(1, 100) g');
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-backup-locks-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Hold locked.t exclusively from now until `releaseAfterMs` has passed (or until `release()`). */
async function holdLock(db: string, releaseAfterMs?: number): Promise<{ pid: number; release: () => Promise<void> }> {
  return withClient(db, async (probe) => {
    const { connect } = await import('../../src/connection');
    const holder: Client = await connect(db, 'test', 'schema-migration');
    // A literal in what it runs stands for a secret, which the error must not repeat.
    await holder.query('BEGIN; LOCK TABLE locked.t IN ACCESS EXCLUSIVE MODE; SELECT \'hunter2\' AS secret');
    const { rows: [{ pid }] } = await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = \'schema-migration\'');
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await holder.query('ROLLBACK');
      await holder.end();
    };
    if (releaseAfterMs !== undefined) setTimeout(() => void release(), releaseAfterMs);
    return { pid, release };
  });
}

test('a lock held for less than the retries take: the backup waits in short steps, then completes', async () => {
  const to = join(dir, 'short');
  const events: ProgressEvent[] = [];
  const holder = await holdLock(url, 1_200);
  const started = Date.now();
  const result = await backupDatabase({ source: url, to, schemas: ['customer_a1', 'locked'], lockWaitTimeoutMs: 200, onProgress: (e) => events.push(e) });
  await holder.release();
  // It had to wait for the holder: at least one attempt timed out and was retried.
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  expect(result.manifest.schemas.map((s) => s.name)).toEqual(['customer_a1', 'locked']);
  expect(result.manifest.schemas[1].relations).toEqual([expect.objectContaining({ name: 't', rows: 100 })]);
  const runs = await listBackupRuns(openBackupStore(to));
  expect(runs).toHaveLength(1);
  expect(runs[0].complete).toBe(true);
}, 60_000);

test('a lock held past every retry: LOCK_TIMEOUT naming the table and the holder, no run left, no wait of ours longer than the timeout', async () => {
  const to = join(dir, 'long');
  const holder = await holdLock(url);
  let longestWaitMs = 0;
  let watching = true;
  // Our sessions' lock waits, as the server sees them: each must end within the timeout (plus a poll's slack).
  const watcher = withClient(url, async (client) => {
    while (watching) {
      const { rows } = await client.query<{ ms: number }>(`SELECT coalesce(max(extract(epoch FROM clock_timestamp() - state_change) * 1000), 0)::float8 AS ms
        FROM pg_stat_activity WHERE application_name LIKE 'pg-schema-restore backup%' AND wait_event_type = 'Lock'`);
      longestWaitMs = Math.max(longestWaitMs, rows[0].ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  const err = await backupDatabase({ source: url, to, schemas: ['customer_a1', 'locked'], lockWaitTimeoutMs: 300, lockRetryPausesMs: [100, 100] })
    .catch((e: unknown) => e);
  watching = false;
  await watcher;
  await holder.release();
  expect(err).toBeInstanceOf(LockTimeoutError);
  expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
  expect((err as LockTimeoutError).object).toBe('locked.t');
  expect((err as Error).message).toMatch(/^backing up schema locked needs a lock on locked\.t, which could not be had within 300 ms in 3 tries: held by pid \d+ \(user postgres, schema-migration, idle in transaction since \S+, AccessExclusiveLock on locked\.t, last ran: BEGIN; LOCK TABLE locked\.t IN ACCESS EXCLUSIVE MODE; SELECT '…' AS secret\); end or commit that session, or retry with a longer --lock-wait-timeout$/);
  expect((err as Error).message).not.toContain('hunter2');
  expect((err as LockTimeoutError).holders.map((h) => h.pid)).toEqual([holder.pid]);
  expect(longestWaitMs).toBeGreaterThan(100);
  expect(longestWaitMs).toBeLessThan(300 + 250);
  expect(readdirSync(to)).toEqual([]);
  // Nothing of ours still waits or runs.
  await withClient(url, async (c) => {
    const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE application_name LIKE \'pg-schema-restore%\'');
    expect(rows).toEqual([]);
  });
}, 60_000);

test('the database\'s own lock_timeout wins when shorter, and the checksums keep it', async () => {
  const db = await createDatabase(cluster(), 'guarded');
  await execSql(db, 'CREATE SCHEMA locked; CREATE TABLE locked.t AS SELECT 1 AS id');
  await withClient(db, (c) => c.query('ALTER DATABASE guarded SET lock_timeout = \'150ms\''));
  const holder = await holdLock(db);
  const err = await backupDatabase({ source: db, to: join(dir, 'guarded'), schemas: ['locked'], lockWaitTimeoutMs: 60_000, lockRetryPausesMs: [] })
    .catch((e: unknown) => e);
  await holder.release();
  expect(err).toBeInstanceOf(LockTimeoutError);
  expect((err as Error).message).toContain('could not be had within 150 ms in 1 tries');
  // Without a lock in the way, the same backup passes with the database's setting untouched.
  const done = await backupDatabase({ source: db, to: join(dir, 'guarded'), schemas: ['locked'] });
  expect(done.manifest.schemas[0].relations[0].rows).toBe(1);
  await withClient(db, async (c) => expect((await c.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('150ms'));
}, 60_000);

test('pg_dump is given --lock-wait-timeout: it stops waiting, the failure is known as a lock wait (retried); other failures are not', async () => {
  const store = openBackupStore(join(dir, 'pg_dump'));
  const snapshot = await openSourceSnapshot(url);
  const holder = await holdLock(url);
  const started = Date.now();
  try {
    const err = await dumpSchemaArchive({
      source: url,
      snapshotId: snapshot.id,
      schema: 'locked',
      store,
      key: 'app/run/locked.dump',
      lockWaitTimeoutMs: 200,
      binaries: findPostgresBinaries({ require: ['pg_dump'] }),
    }).catch((e: unknown) => e);
    expect(isPgDumpLockWait(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await holder.release();
    await snapshot.close();
  }
  // Any other pg_dump failure is not retried as a lock wait.
  const other = await dumpSchemaArchive({
    source: url,
    snapshotId: '00000003-0000-0001-1',
    schema: 'locked',
    store,
    key: 'app/run/x.dump',
    lockWaitTimeoutMs: 200,
    binaries: findPostgresBinaries({ require: ['pg_dump'] }),
  }).catch((e: unknown) => e);
  expect((other as { code?: string }).code).toBe('TOOL_FAILED');
  expect(isPgDumpLockWait(other)).toBe(false);
}, 60_000);
