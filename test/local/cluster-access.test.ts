import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TemporaryDatabase } from '../../src';
import { connect } from '../../src/connection';
import { archiveCurrentWal, LocalCluster, postgresOsUser, serverWritableDir, startLocalCluster, takeBaseBackup, walArchivingSettings } from '../../src/local';
import { scramVerifier } from '../../src/local/cluster-access';
import { restorePointInTime } from '../../src/sources/pitr/restore-pitr';
import { freshBaseDir, leftovers } from '../support/dump-archives';
import { execSql, withClient } from '../support/postgres';

const NOBODY = 65534;

/** Where a server listens, as another OS user would try it. */
interface Door {
  readonly port: number;
  readonly socketDir: string;
  readonly dataDir: string;
  readonly user: string;
  readonly password: string;
}

/** psql run as `nobody` against a server: over TCP (optionally with a password) or through the socket directory. */
function psqlAsNobody(door: Door, via: 'tcp' | 'socket', password?: string, user = door.user): { ok: boolean; stderr: string } {
  const psql = join(process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql');
  const host = via === 'tcp' ? '127.0.0.1' : door.socketDir;
  const run = spawnSync(psql, ['-w', '-X', '-h', host, '-p', String(door.port), '-U', user, '-d', 'postgres', '-tAc', 'SELECT 1'], {
    uid: NOBODY, gid: NOBODY, cwd: '/', encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent', ...password ? { PGPASSWORD: password } : {} },
  });
  return { ok: run.status === 0 && run.stdout.trim() === '1', stderr: run.stderr };
}

/** Another OS user gets in neither over TCP (without the password) nor through the socket; pg_hba.conf trusts nobody. */
function expectShut(door: Door): void {
  expect(psqlAsNobody(door, 'tcp')).toEqual({ ok: false, stderr: expect.stringMatching(/no password supplied|password authentication failed/) });
  expect(psqlAsNobody(door, 'tcp', 'not-the-password')).toEqual({ ok: false, stderr: expect.stringMatching(/password authentication failed/) });
  expect(psqlAsNobody(door, 'socket', door.password)).toEqual({ ok: false, stderr: expect.stringMatching(/Permission denied/) });
  // The same psql, with what only this restore holds, does get in: the refusals above are the server's doors, not the test's.
  expect(psqlAsNobody(door, 'tcp', door.password)).toEqual({ ok: true, stderr: '' });
  const hba = readFileSync(join(door.dataDir, 'pg_hba.conf'), 'utf8');
  expect(hba).not.toMatch(/\btrust\b/);
  const socket = statSync(door.socketDir);
  expect((socket.mode % 0o1000).toString(8)).toBe('700');
  expect(socket.uid).toBe(postgresOsUser()?.uid ?? process.getuid!());
}

const doorOf = (c: LocalCluster): Door => ({ port: c.port, socketDir: c.socketDir, dataDir: c.dataDir, user: c.user, password: c.password });

describe('a throwaway server admits only this restore', () => {
  let prod: LocalCluster;
  let work: string;

  beforeAll(async () => {
    work = freshBaseDir();
    serverWritableDir(join(work, 'wal'));
    prod = await startLocalCluster({ baseDir: work, settings: walArchivingSettings(join(work, 'wal')) });
    await execSql(prod.url(), "CREATE ROLE app LOGIN PASSWORD 'known-to-others'");
    await execSql(prod.url(), 'CREATE DATABASE tenant_a');
  }, 120_000);

  afterAll(async () => {
    await prod?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('initdb\'d: a random password, peer for this OS user only on a private socket, no trust', async () => {
    expect(prod.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expectShut(doorOf(prod));
    expect(readFileSync(join(prod.dataDir, 'pg_hba.conf'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'local all "postgres" peer map=pgsr_restore',
      'host all all 127.0.0.1/32 scram-sha-256',
      'host replication "postgres" 127.0.0.1/32 scram-sha-256',
    ]);
    // Through the socket, the OS user running the restore is the superuser without a password.
    const viaSocket = await connect(prod.socketConnection(), 'socket');
    expect((await viaSocket.query('SELECT current_user AS u')).rows[0].u).toBe('postgres');
    await viaSocket.end();
  }, 120_000);

  test('from a base backup: production\'s roles and passwords do not get in, only our new password for the superuser', async () => {
    const backup = join(work, 'base');
    await takeBaseBackup(prod, backup);
    const copy = await startLocalCluster({ existingDataDir: backup, replaceConfig: true, baseDir: work });
    try {
      expect(copy.password).not.toBe(prod.password);
      expectShut(doorOf(copy));
      expect(psqlAsNobody(doorOf(copy), 'tcp', prod.password)).toMatchObject({ ok: false, stderr: expect.stringMatching(/password authentication failed/) });
      expect(psqlAsNobody(doorOf(copy), 'tcp', 'known-to-others', 'app')).toMatchObject({ ok: false, stderr: expect.stringMatching(/no pg_hba.conf entry/) });
      expect(await withClient(copy.url(), async (c) => (await c.query("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'postgres'")).rows[0].scram)).toBe(true);
    } finally {
      await copy.stop();
    }
  }, 180_000);

  test('from a base backup, as a role production does not have: ROLE_NOT_FOUND, not a connection failure', async () => {
    // The state a PITR meets when its recovery ends while the server starts: promoted already, so the first login meets production's roles.
    const backup = join(work, 'base-no-role');
    await takeBaseBackup(prod, backup);
    const started = startLocalCluster({ existingDataDir: backup, replaceConfig: true, baseDir: work, superuser: 'nobody_here' });
    await expect(started).rejects.toMatchObject({
      code: 'ROLE_NOT_FOUND',
      message: expect.stringMatching(/^role "nobody_here" does not exist in the recovered cluster; connect as a role of the backed-up server/),
    });
  }, 180_000);

  test('a PITR server: the same, once recovered and promoted', async () => {
    const backup = join(work, 'pitr-base');
    await takeBaseBackup(prod, backup, { wal: 'none' });
    await execSql(prod.url('tenant_a'), 'CREATE TABLE t AS SELECT 1 AS one');
    const target = await withClient(prod.url('tenant_a'), async (c) => (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t);
    // A transaction after the target, so the archive reaches past it.
    await execSql(prod.url('tenant_a'), 'INSERT INTO t VALUES (2)');
    await archiveCurrentWal(prod);
    const baseDir = freshBaseDir();
    let db: TemporaryDatabase | undefined;
    try {
      db = await restorePointInTime({ kind: 'pitr', baseBackup: backup, walArchive: join(work, 'wal'), targetTime: target }, { database: 'tenant_a', baseDir });
      const url = new URL(db.connection as string);
      const dir = join(baseDir, readdirSync(baseDir)[0]);
      const door = { port: Number(url.port), socketDir: join(dir, 'socket'), dataDir: join(dir, 'data'), user: 'postgres', password: decodeURIComponent(url.password) };
      expectShut(door);
      expect(psqlAsNobody(door, 'tcp', 'known-to-others', 'app')).toMatchObject({ ok: false, stderr: expect.stringMatching(/no pg_hba.conf entry/) });
      expect(await withClient(db.connection as string, async (c) => (await c.query('SELECT one FROM t')).rows)).toEqual([{ one: 1 }]);
    } finally {
      await db?.cleanup();
      expect(leftovers(baseDir)).toEqual([]);
    }
  }, 300_000);
});

test('scramVerifier writes what PostgreSQL stores for a password', () => {
  expect(scramVerifier('s3cret')).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
});
