import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { openBackupStore } from '../../src/backups/backup-store';
import { createSampleDatabases } from '../../src/testing';
import { commandLinesOf, removeBundledCli, startCli } from '../support/cli-process';
import { execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;
let work: string;

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 20, databases: { app: ['customer_a1'] } })).app;
  await execSql(url, 'CREATE SCHEMA locked; CREATE TABLE locked.t AS SELECT g AS id FROM generate_series(1, 100) g');
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-backup-process-'));
  chmodSync(work, 0o755);
}, 120_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeBundledCli();
});

/** Wait until the backup's pg_dump waits for the lock on locked.t, i.e. the run is midway: archives open, no manifest. */
async function untilPgDumpWaits(client: Client, output: () => string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const { rows } = await client.query('SELECT 1 FROM pg_stat_activity WHERE application_name = \'pg-schema-restore backup\' AND wait_event_type = \'Lock\'');
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pg_dump never waited for the lock:\n${output()}`);
}

/** Wait until the other schema's archive is complete in the run directory: the run holds a finished archive and no manifest. */
async function untilArchiveWritten(to: string, archive: string, output: () => string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const runs = existsSync(join(to, 'app')) ? readdirSync(join(to, 'app')) : [];
    if (runs.some((run) => existsSync(join(to, 'app', run, archive)))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${archive} was never written:\n${output()}`);
}

/** Run `fn` while a transaction holds locked.t exclusively (pg_dump's LOCK TABLE waits for it); then let go. */
async function whileLocked<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  return withClient(url, async (holder) => {
    await holder.query('BEGIN; LOCK TABLE locked.t IN ACCESS EXCLUSIVE MODE');
    try {
      return await withClient(url, fn);
    } finally {
      await holder.query('ROLLBACK');
    }
  });
}

const backupArgs = (to: string): string[] => ['backup', '--to', to, '--schema', 'customer_a1', '--schema', 'locked'];
/** A lock wait longer than the test: the backup stays paused behind the lock until it is interrupted. */
const pausedBackupArgs = (to: string): string[] => [...backupArgs(to), '--lock-wait-timeout', '10m'];

test('Ctrl-C midway: everything of the run is removed, one line, exit 130; pg_dump never had the password in its arguments', async () => {
  const to = join(work, 'interrupted');
  const password = new URL(url).password;
  const { run, pgDumps } = await whileLocked(async (client) => {
    // The URL (with its password) comes from PGSR_SOURCE, as a careful user passes it.
    const started = startCli(pausedBackupArgs(to), { env: { PGSR_SOURCE: url } });
    await untilPgDumpWaits(client, started.output);
    const seen = commandLinesOf('pg_dump');
    expect(readdirSync(to)).toEqual(['app']); // midway: the run exists
    started.child.kill('SIGINT');
    return { run: { ...(await started.exited), output: started.output() }, pgDumps: seen };
  });
  expect(pgDumps.some((args) => args.includes('--snapshot='))).toBe(true);
  expect(pgDumps.some((args) => args.includes('--lock-wait-timeout=600000ms'))).toBe(true);
  for (const args of pgDumps) expect(args).not.toContain(password);
  expect(run.output).not.toContain(password);
  const errors = run.output.split('\n').filter((l) => l.startsWith('pg-schema-restore:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(new RegExp(`^pg-schema-restore: backup aborted; its partial run ${to}/app/[^/]+/ was removed$`));
  expect(run.code).toBe(130);
  expect(existsSync(to) ? readdirSync(to) : []).toEqual([]);
}, 120_000);

test('kill -9 midway: no manifest, and the catalog lists the run as incomplete', async () => {
  const to = join(work, 'killed');
  await whileLocked(async (client) => {
    const started = startCli(pausedBackupArgs(to), { env: { PGSR_SOURCE: url } });
    await untilPgDumpWaits(client, started.output);
    // Midway for certain: customer_a1's archive is complete while locked's pg_dump waits (else the run could still be empty).
    await untilArchiveWritten(to, 'customer_a1.dump', started.output);
    started.child.kill('SIGKILL');
    expect((await started.exited).signal).toBe('SIGKILL');
    // The orphaned pg_dump would wait for the lock forever.
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \'pg-schema-restore backup\'');
  });
  const runs = await listBackupRuns(openBackupStore(to));
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ database: 'app', complete: false });
  expect(runs[0].objects.map((o) => o.key)).not.toContain(`${runs[0].path}manifest.json`);
}, 120_000);

test('a lock held past the retries: one line naming the table and the session holding it, exit 1, no run left', async () => {
  const to = join(work, 'blocked');
  const run = await whileLocked(async (client) => {
    const { rows: [holder] } = await client.query<{ pid: number }>('SELECT l.pid FROM pg_locks l WHERE l.relation = \'locked.t\'::regclass AND l.mode = \'AccessExclusiveLock\'');
    const started = startCli([...backupArgs(to), '--lock-wait-timeout', '300'], { env: { PGSR_SOURCE: url } });
    return { ...(await started.exited), output: started.output(), holder: holder.pid };
  });
  const errors = run.output.split('\n').filter((l) => l.startsWith('pg-schema-restore:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(new RegExp(`^pg-schema-restore: backing up schema locked needs a lock on locked\\.t, which could not be had within 300 ms in 5 tries: held by pid ${run.holder} \\(user postgres, pgsr-test-helper, idle in transaction since \\S+, AccessExclusiveLock on locked\\.t, last ran: BEGIN; LOCK TABLE locked\\.t IN ACCESS EXCLUSIVE MODE\\); end or commit that session, or retry with a longer --lock-wait-timeout$`));
  expect(run.code).toBe(1);
  expect(existsSync(to) ? readdirSync(to) : []).toEqual([]);
}, 120_000);

test('a directory this OS user cannot write: BACKUP_WRITE_FAILED in one line before connecting, exit 2', async () => {
  const to = join(work, 'root-only');
  mkdirSync(to, { mode: 0o755 });
  const started = startCli([...backupArgs(join(to, 'nightly')), '--json'], { env: { PGSR_SOURCE: url }, uid: 65534 });
  const { code } = await started.exited;
  const lines = started.output().trim().split('\n');
  expect(lines).toEqual([
    `pg-schema-restore: cannot write backups under ${to}: permission denied; let this user write there, or choose another --to`,
    JSON.stringify({ error: { code: 'BACKUP_WRITE_FAILED', message: `cannot write backups under ${to}: permission denied; let this user write there, or choose another --to` } }),
  ]);
  expect(code).toBe(2);
  expect(readdirSync(to)).toEqual([]);
}, 60_000);
