import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, inspectBaseBackup, PitrSource, ProgressEvent, RestoreTemporaryOptions, SchemaRestoreError } from '../../../src';
import { libpqEnv } from '../../../src/connection';
import { archiveCurrentWal, LocalCluster, serverWritableDir, startLocalCluster, takeBaseBackup, walArchivingSettings } from '../../../src/local';
import { runTool } from '../../../src/run-tool';
import { restorePointInTime } from '../../../src/sources/pitr/restore-pitr';
import { createSampleDatabases, SAMPLE_TABLES } from '../../../src/testing';
import { execSql, processesUnder, tableDigest, withClient } from '../../support/postgres';

const work = mkdtempSync(join(tmpdir(), 'pgsr-pitr-test-'));
chmodSync(work, 0o755); // the servers run as the postgres OS user when we are root
const archive = join(work, 'wal');
const backups = { plain: join(work, 'base-plain'), tar: join(work, 'base-tar'), none: join(work, 'base-none') };
const schemas = ['customer_a1', 'customer_a2'];
const digestsAtT = new Map<string, { rows: number; md5: string }>();
let prod: LocalCluster;
let T: Date;
let invoiceSeqAtT: number;

/** A fresh, empty parent directory for one recovery, so the test can see that nothing is left in it. */
function freshBaseDir(): string {
  const dir = mkdtempSync(join(work, 'run-'));
  chmodSync(dir, 0o755);
  return dir;
}

function pitr(overrides: Partial<PitrSource> = {}): PitrSource {
  return { kind: 'pitr', baseBackup: backups.plain, walArchive: archive, targetTime: T, ...overrides };
}

/** Recover and expect a failure; asserts that nothing was left behind and returns the error. */
async function failedRecovery(source: PitrSource, options: RestoreTemporaryOptions = {}): Promise<SchemaRestoreError> {
  const baseDir = freshBaseDir();
  const err = await restorePointInTime(source, { baseDir, ...options }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SchemaRestoreError);
  expect(readdirSync(baseDir)).toEqual([]);
  expect(processesUnder(baseDir)).toEqual([]);
  expect((err as Error).message).not.toContain('\n');
  return err as SchemaRestoreError;
}

beforeAll(async () => {
  serverWritableDir(archive);
  prod = await startLocalCluster({ baseDir: work, settings: walArchivingSettings(archive) });
  await createSampleDatabases(prod, { rows: 50 });
  const tenantA = prod.url('tenant_a');
  await execSql(tenantA, `CREATE UNLOGGED TABLE customer_a1.sessions (id int PRIMARY KEY, token text NOT NULL);
    INSERT INTO customer_a1.sessions SELECT g, md5(g::text) FROM generate_series(1, 20) g`);

  // pg_basebackup -R writes standby.signal and production's primary_conninfo into the backup.
  serverWritableDir(backups.plain);
  await runTool(prod.binaries.path('pg_basebackup'), ['-D', backups.plain,
    '-Fp', '-X', 'stream', '-R', '-c', 'fast', '--no-sync'], { uid: prod.osUser?.uid, gid: prod.osUser?.gid, env: libpqEnv(prod.url()) });
  await takeBaseBackup(prod, backups.tar, { format: 'tar', gzip: true });
  await takeBaseBackup(prod, backups.none, { wal: 'none' });

  await execSql(tenantA, `INSERT INTO customer_a1.users (email, full_name) VALUES ('before-t@example.com', 'Before T');
    SELECT nextval('customer_a1.invoice_number_seq') FROM generate_series(1, 3)`);
  T = await withClient(tenantA, async (c) => (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t);
  for (const schema of schemas) {
    for (const table of SAMPLE_TABLES) digestsAtT.set(`${schema}.${table}`, await tableDigest(tenantA, schema, table));
  }
  for (const table of SAMPLE_TABLES) digestsAtT.set(`tenant_b.customer_b1.${table}`, await tableDigest(prod.url('tenant_b'), 'customer_b1', table));
  invoiceSeqAtT = await withClient(tenantA, async (c) => Number((await c.query('SELECT last_value FROM customer_a1.invoice_number_seq')).rows[0].last_value));

  await new Promise((resolve) => setTimeout(resolve, 50));
  // Recovery stops before the first commit after T. Its own nextval() calls would still be replayed
  // (sequence changes are WAL-logged at once, not at commit), so they come in a later transaction.
  await execSql(tenantA, "INSERT INTO customer_a1.users (email, full_name) VALUES ('after-t@example.com', 'After T')");
  await execSql(tenantA, `DELETE FROM customer_a1.users WHERE id = 1;
    UPDATE customer_a1.products SET name = 'renamed after T' WHERE id = 2;
    SELECT nextval('customer_a1.invoice_number_seq') FROM generate_series(1, 100)`);
  await execSql(prod.url('tenant_b'), 'DELETE FROM customer_b1.users WHERE id = 1');
  await archiveCurrentWal(prod);
}, 120_000);

afterAll(async () => {
  await prod?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('restorePointInTime', () => {
  test('recovers a plain base backup to T: the database as it was then, isolated from production, removed by cleanup()', async () => {
    const baseDir = freshBaseDir();
    const events: ProgressEvent[] = [];
    const archivedBefore = readdirSync(archive);
    const past = await restorePointInTime(pitr(), { baseDir, database: 'tenant_a', schemas, onProgress: (e) => events.push(e) });
    try {
      expect(past.kind).toBe('pitr');
      expect(past.restorePoint).toEqual(T);
      expect(past.description).toMatch(/^base backup .*base-plain \(plain, PostgreSQL \d+\) recovered to .* with the WAL archive /);
      for (const schema of schemas) {
        for (const table of SAMPLE_TABLES) {
          expect({ table: `${schema}.${table}`, ...await tableDigest(past.connection as string, schema, table) })
            .toEqual({ table: `${schema}.${table}`, ...digestsAtT.get(`${schema}.${table}`) });
        }
      }
      await withClient(past.connection as string, async (c) => {
        const emails = (await c.query("SELECT email::text FROM customer_a1.users WHERE email IN ('before-t@example.com', 'after-t@example.com') OR id = 1 ORDER BY id")).rows;
        expect(emails.map((r) => r.email)).toEqual([expect.any(String), 'before-t@example.com']); // id 1, deleted after T, is back
        expect((await c.query('SELECT name FROM customer_a1.products WHERE id = 2')).rows[0].name).not.toBe('renamed after T');
        expect((await c.query('SELECT count(*)::int AS n FROM customer_a1.sessions')).rows[0].n).toBe(0);
        const seq = Number((await c.query('SELECT last_value FROM customer_a1.invoice_number_seq')).rows[0].last_value);
        expect(seq).toBeGreaterThanOrEqual(invoiceSeqAtT);
        expect(seq).toBeLessThanOrEqual(invoiceSeqAtT + 32); // sequences are WAL-logged 32 values ahead
        const settings = (await c.query(`SELECT name, setting FROM pg_settings
          WHERE name IN ('archive_mode', 'ssl', 'hot_standby', 'listen_addresses', 'primary_conninfo') ORDER BY name`)).rows;
        expect(Object.fromEntries(settings.map((r) => [r.name, r.setting]))).toEqual({
          archive_mode: 'off', hot_standby: 'off', listen_addresses: '127.0.0.1', primary_conninfo: '', ssl: 'off',
        });
        expect((await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(false);
      });
      expect(past.warnings).toEqual(['unlogged table customer_a1.sessions came back empty: unlogged tables are not written to WAL, so no backup can recover their rows']);
      expect(events.map((e) => e.type === 'phase' && `${e.phase} ${e.status}`)).toEqual(['source start', 'source done']);
      expect(events[0]).toMatchObject({ message: expect.stringMatching(/^recovering the base backup of \S+Z up to \S+Z from the WAL archive .*wal on a throwaway local server$/) });

      const [clusterDir] = readdirSync(baseDir);
      const dataDir = join(baseDir, clusterDir, 'data');
      expect(existsSync(join(dataDir, 'standby.signal'))).toBe(false);
      expect(readFileSync(join(dataDir, 'postgresql.auto.conf.from-backup'), 'utf8')).toMatch(/primary_conninfo/);
      expect(readFileSync(join(dataDir, 'postgresql.auto.conf'), 'utf8')).not.toMatch(/primary_conninfo/);
      expect(existsSync(join(dataDir, 'postgresql.conf.from-backup'))).toBe(true);
      expect(readdirSync(archive)).toEqual(archivedBefore); // the promoted server archived nothing into production's archive
    } finally {
      await past.cleanup();
    }
    expect(readdirSync(baseDir)).toEqual([]);
    expect(processesUnder(baseDir)).toEqual([]);
    await past.cleanup(); // idempotent
  });

  test('recovers a gzip tar base backup of another database, from an archive whose path needs quoting; no schemas: every schema is checked for unlogged tables', async () => {
    const baseDir = freshBaseDir();
    // restore_command is a shell command the server expands %-escapes in first.
    const oddArchive = join(work, "wal 'archive' 100%f $HOME");
    execFileSync('cp', ['-al', archive, oddArchive]); // hard links: no copy of the segments
    const past = await restorePointInTime(pitr({ baseBackup: backups.tar, walArchive: oddArchive }), { baseDir, database: 'tenant_b' });
    try {
      expect(past.description).toMatch(/\(tar, gzip, PostgreSQL \d+\) recovered to .* with the WAL archive .*wal 'archive' 100%f \$HOME$/);
      for (const table of SAMPLE_TABLES) {
        expect(await tableDigest(past.connection as string, 'customer_b1', table)).toEqual(digestsAtT.get(`tenant_b.customer_b1.${table}`));
      }
      expect(past.warnings).toEqual([]);
    } finally {
      await past.cleanup();
    }
    expect(readdirSync(baseDir)).toEqual([]);
  });

  test('a backup taken with -X none recovers from the archive alone', async () => {
    const info = await inspectBaseBackup(pitr({ baseBackup: backups.none }));
    expect(info.startWalFrom).toBe('archive');
    const past = await restorePointInTime(pitr({ baseBackup: backups.none }), { baseDir: freshBaseDir(), database: 'tenant_a', schemas: ['customer_a1'] });
    try {
      expect(await tableDigest(past.connection as string, 'customer_a1', 'users')).toEqual(digestsAtT.get('customer_a1.users'));
    } finally {
      await past.cleanup();
    }
  });
});

describe('inspectBaseBackup', () => {
  test('reads format, version, start and stop of plain and tar backups without creating anything', async () => {
    const before = readdirSync(work);
    const plain = await inspectBaseBackup(pitr());
    const tar = await inspectBaseBackup(pitr({ baseBackup: backups.tar }));
    expect(readdirSync(work)).toEqual(before);
    expect(plain).toMatchObject({ format: 'plain', major: prod.binaries.major, timeline: 1, startWalFile: expect.stringMatching(/^00000001[0-9A-F]{16}$/) });
    expect(tar).toMatchObject({ format: 'tar', compression: 'gzip', major: prod.binaries.major, timeline: 1 });
    for (const info of [plain, tar]) {
      expect(info.startWalLocation).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(info.startTime!.getTime()).toBeLessThanOrEqual(T.getTime());
      expect(info.stopTime!.getTime()).toBeGreaterThanOrEqual(info.startTime!.getTime());
      expect(info.backupHistoryFile).toMatch(new RegExp(`^${info.startWalFile}\\.[0-9A-F]{8}\\.backup$`));
      expect(info.walSegmentsInArchive).toBeGreaterThan(0);
    }
  });

  test('backups taken with -X stream carry the segment they start from', async () => {
    const empty = freshBaseDir();
    for (const baseBackup of [backups.plain, backups.tar]) {
      expect(await inspectBaseBackup(pitr({ baseBackup, walArchive: empty }))).toMatchObject({ startWalFrom: 'base backup', walSegmentsInArchive: 0 });
    }
  });

  test('reads lz4 and zstd tar backups; a zstd one recovers', async () => {
    for (const [tool, suffix] of [['lz4', '.lz4'], ['zstd', '.zst']]) {
      const dir = join(work, `base-tar-${tool}`);
      mkdirSync(dir);
      for (const name of ['base', 'pg_wal']) {
        execFileSync('sh', ['-c', `gzip -dc "$1" | ${tool} -q > "$2"`, 'sh', join(backups.tar, `${name}.tar.gz`), join(dir, `${name}.tar${suffix}`)]);
      }
      expect(await inspectBaseBackup(pitr({ baseBackup: dir }))).toMatchObject({ format: 'tar', compression: tool, major: prod.binaries.major });
    }
    const baseDir = freshBaseDir();
    const past = await restorePointInTime(pitr({ baseBackup: join(work, 'base-tar-zstd') }), { baseDir, database: 'tenant_a', schemas: ['customer_a2'] });
    try {
      expect(past.description).toMatch(/\(tar, zstd, PostgreSQL \d+\)/);
      expect(await tableDigest(past.connection as string, 'customer_a2', 'orders')).toEqual(digestsAtT.get('customer_a2.orders'));
    } finally {
      await past.cleanup();
    }
    expect(readdirSync(baseDir)).toEqual([]);
  });
});

describe('bad input: one clear line, a code, nothing left behind', () => {
  test('a missing base backup directory, and a directory that is not a base backup', async () => {
    expect(await failedRecovery(pitr({ baseBackup: join(work, 'nope') }))).toMatchObject({ code: 'BASE_BACKUP_INVALID', message: expect.stringMatching(/nope is not a usable base backup \(no such directory\); point it at a directory written by pg_basebackup -D/) });
    expect(await failedRecovery(pitr({ baseBackup: archive }))).toMatchObject({ code: 'BASE_BACKUP_INVALID', message: expect.stringMatching(/neither PG_VERSION \+ backup_label nor base\.tar/) });
  });

  test('a missing WAL archive, and a -X none backup whose archive lacks the start segment', async () => {
    const info = await inspectBaseBackup(pitr({ baseBackup: backups.none }));
    expect(await failedRecovery(pitr({ walArchive: join(work, 'no-archive') }))).toMatchObject({ code: 'WAL_MISSING', message: expect.stringMatching(/no-archive does not exist/) });
    const empty = freshBaseDir();
    const err = await failedRecovery(pitr({ baseBackup: backups.none, walArchive: empty }));
    expect(err.code).toBe('WAL_MISSING');
    expect(err.message).toBe(`the WAL archive ${empty} does not hold ${info.startWalFile}, which the base backup of ${info.startTime!.toISOString().replace('.000Z', 'Z')} starts from; ` +
      'point wal= at the archive of that server, or take the base backup with -X stream');
  });

  test('a target before the backup', async () => {
    const info = await inspectBaseBackup(pitr());
    const err = await failedRecovery(pitr({ targetTime: new Date(info.startTime!.getTime() - 3600_000) }));
    expect(err.code).toBe('TARGET_BEFORE_BACKUP');
    expect(err.message).toMatch(/was taken from \S+Z to \S+Z; choose --at after \S+Z or an older base backup$/);
  });

  test('a target after the last archived transaction: the server stops, its log explains why', async () => {
    const err = await failedRecovery(pitr({ targetTime: new Date(Date.now() + 24 * 3600_000) }), { database: 'tenant_a' });
    // Code and message together, so that a failure shows what the server said instead.
    expect({ code: err.code, message: err.message }).toMatchObject({ code: 'TARGET_BEYOND_WAL' });
    expect(err.message).toMatch(/^the WAL archive \S+ ends before \S+Z: the last archived transaction is from \S+; choose an earlier --at, or archive the current WAL \(SELECT pg_switch_wal\(\)\) and retry$/);
  });

  test('a WAL archive with a hole in the middle: the missing segment is named', async () => {
    // More WAL after everything else: three segments, each with a commit, the middle one then left out of a copy of the archive.
    const written: string[] = [];
    for (let i = 0; i < 3; i++) {
      await execSql(prod.url('tenant_a'), `INSERT INTO customer_a1.users (email, full_name) VALUES ('gap-${i}@example.com', 'Gap ${i}')`);
      written.push(await archiveCurrentWal(prod));
    }
    const at = await withClient(prod.url('tenant_a'), async (c) => (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t);
    const holed = freshBaseDir();
    const missing = written[1];
    for (const name of readdirSync(archive).filter((f) => f !== missing)) copyFileSync(join(archive, name), join(holed, name));
    const segments = readdirSync(holed).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort();
    const err = await failedRecovery(pitr({ walArchive: holed, targetTime: at }), { database: 'tenant_a' });
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'WAL_GAP',
      message: `the WAL archive ${holed} lacks the segment ${missing} (it holds ${segments.filter((f) => f < missing).pop()} before it and ${written[2]} after it), ` +
        `so replay stops there, before ${at.toISOString().replace('.000Z', 'Z')}; ` +
        `copy ${missing} into the archive (from another copy of it, or the server's pg_wal if it is still there), or choose an earlier --at`,
    });
  });

  test('a WAL archive the server cannot read', async () => {
    const locked = join(work, 'locked-wal');
    mkdirSync(locked);
    // Root reads anything, the server's OS user (postgres) cannot; as an ordinary user, nobody can.
    chmodSync(locked, prod.osUser ? 0o700 : 0o000);
    try {
      const err = await failedRecovery(pitr({ walArchive: locked }));
      expect(err.code).toBe('UNREADABLE');
      expect(err.message).toMatch(/^the WAL archive \S+locked-wal is not readable by OS user \S+, which runs the recovery .*; chmod\/chown it/);
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  test('a schema that did not exist at T, and a database that did not', async () => {
    const err = await failedRecovery(pitr(), { database: 'tenant_a', schemas: ['customer_a1', 'customer_zz'] });
    expect(err).toMatchObject({ code: 'SCHEMA_NOT_FOUND', message: expect.stringMatching(/^schema "customer_zz" does not exist in the database "tenant_a" as of \S+Z;/) });
    const dbErr = await failedRecovery(pitr(), { database: 'tenant_zz' });
    expect({ code: dbErr.code, message: dbErr.message }).toMatchObject({ code: 'DATABASE_NOT_FOUND' });
    expect(await failedRecovery(pitr({ user: 'nobody_here' }))).toMatchObject({ code: 'ROLE_NOT_FOUND' });
  });

  test('a backup of a PostgreSQL version that is not installed', async () => {
    const fake = join(work, 'base-v99');
    mkdirSync(fake);
    writeFileSync(join(fake, 'PG_VERSION'), '99\n');
    copyFileSync(join(backups.plain, 'backup_label'), join(fake, 'backup_label'));
    const err = await failedRecovery(pitr({ baseBackup: fake }));
    expect(err.message).toMatch(/^base backup is PostgreSQL 99; install postgresql-99 \(server\) or set PG_BIN/);
  });

  test('abort while the backup is being copied removes everything', async () => {
    const controller = new AbortController();
    const err = await failedRecovery(pitr(), {
      signal: controller.signal,
      onProgress: (e: ProgressEvent) => { if (e.type === 'phase' && e.status === 'start') controller.abort(); },
    });
    expect(err).toBeInstanceOf(AbortedError);
  });
});
