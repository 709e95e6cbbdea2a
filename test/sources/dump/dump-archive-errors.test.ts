import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AbortedError, InvalidInputError, RestoreTemporaryOptions, SchemaNotFoundError, SchemaRestoreError } from '../../../src';
import { restoreDumpArchive } from '../../../src/sources/dump/restore-dump-archive';
import { freshBaseDir, leftovers, useSampleDumps } from '../../support/dump-archives';
import { useLocalS3 } from '../../support/s3';

const dumps = useSampleDumps();
const s3 = useLocalS3(['backups']);
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'pgsr-test-bad-archives-'));
  chmodSync(scratch, 0o755);
  const custom = readFileSync(dumps().files.custom);
  await s3().put('backups', 'tenant_a.dump', custom);
  // Cut inside the last table's data, which comes right before the archive's restore.sql member.
  const tar = readFileSync(dumps().files.tar);
  await s3().put('backups', 'cut.tar', tar.subarray(0, tar.indexOf('restore.sql\0') - 700));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A file in the scratch directory with this content. */
function file(name: string, content: Buffer | string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

/** Restore and expect it to fail; nothing may be left in the base directory. */
async function failure(path: string, options: RestoreTemporaryOptions = {}): Promise<SchemaRestoreError> {
  const baseDir = freshBaseDir();
  const err = await restoreDumpArchive({ kind: 'dump', path }, { schemas: ['customer_a1'], baseDir, clients: { s3: s3().client }, ...options })
    .then(async (db) => {
      await db.cleanup();
      return new Error('the restore succeeded');
    }, (e: unknown) => e);
  expect(leftovers(baseDir)).toEqual([]);
  expect(err).toBeInstanceOf(SchemaRestoreError);
  expect((err as Error).message).not.toContain('\n');
  return err as SchemaRestoreError;
}

describe('a bad archive source fails with one line and leaves nothing behind', () => {
  test('missing local file', async () => {
    const err = await failure(join(scratch, 'missing.dump'));
    expect(err).toMatchObject({ code: 'ARCHIVE_NOT_FOUND', message: `${join(scratch, 'missing.dump')} does not exist; check the path (a file or directory written by pg_dump, or s3://bucket/key)` });
    expect(err).toBeInstanceOf(InvalidInputError);
  });

  test('missing S3 object, missing bucket, prefix with no object', async () => {
    expect(await failure('s3://backups/nope.dump')).toMatchObject({
      code: 'ARCHIVE_NOT_FOUND', message: 's3://backups/nope.dump does not exist; check the key, or end the source with / to use the newest object under a prefix',
    });
    expect(await failure('s3://no-such-bucket/tenant_a.dump')).toMatchObject({
      code: 'ARCHIVE_NOT_FOUND', message: 'bucket "no-such-bucket" does not exist (s3://no-such-bucket/tenant_a.dump); check the bucket name, the region and the endpoint',
    });
    expect(await failure('s3://backups/empty-prefix/')).toMatchObject({
      code: 'ARCHIVE_NOT_FOUND', message: 'no object under s3://backups/empty-prefix/; upload a pg_dump archive there, or point --source at an object (s3://bucket/key)',
    });
  });

  test('wrong S3 credentials: named, without key material', async () => {
    const secret = 'wJalrXUtnFEMI-not-the-secret';
    const keyId = 'AKIAWRONGKEY00000000';
    const err = await failure('s3://backups/tenant_a.dump', { clients: { s3: s3().clientWith({ accessKeyId: keyId, secretAccessKey: secret }) } });
    expect(err.code).toBe('S3_ACCESS_DENIED');
    expect(err.message).toMatch(/^cannot read s3:\/\/backups\/tenant_a\.dump: S3 (does not know the AWS access key|rejected the request signature)/);
    const everything = `${err.message} ${err.stack} ${(err.cause as Error)?.message} ${(err.cause as Error)?.stack} ${JSON.stringify(err)}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(keyId);
  });

  test.each([
    ['a text file', 'notes.txt', 'just some notes\n'],
    ['pg_dumpall output', 'cluster.sql', '--\n-- PostgreSQL database cluster dump\n--\n'],
    ['gzip-compressed text', 'notes.txt.gz', gzipSync('not a dump at all\n')],
  ])('not an archive: %s', async (_what, name, content) => {
    const path = file(name, content);
    expect(await failure(path)).toMatchObject({
      code: 'ARCHIVE_CORRUPT', message: `${path} is not a pg_dump archive (custom, directory, tar or plain SQL); point --source at a file written by pg_dump`,
    });
  });

  test('an empty file or S3 object, a directory without toc.dat', async () => {
    const empty = file('empty.dump', '');
    expect(await failure(empty)).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: `${empty} is empty, so it is not a pg_dump archive; point --source at a file written by pg_dump` });
    await s3().put('backups', 'empty.dump', Buffer.alloc(0));
    expect(await failure('s3://backups/empty.dump')).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: expect.stringMatching(/^s3:\/\/backups\/empty\.dump is empty/) });
    const dir = join(scratch, 'not-a-dump-dir');
    mkdirSync(dir);
    expect(await failure(dir)).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: expect.stringMatching(/has no toc\.dat, so it is not a pg_dump directory-format archive; point --source/) });
  });

  test('the pg_dump magic followed by garbage', async () => {
    const path = file('garbage.dump', Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(3000, 7)]));
    expect(await failure(path)).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: expect.stringMatching(/^.*garbage\.dump is damaged or truncated \(.+\); point --source at a file written by pg_dump$/) });
  });

  test('truncated custom archive: its table of contents is whole, so it fails while restoring, with the server running', async () => {
    const whole = readFileSync(dumps().files.custom);
    const path = file('cut.dump', whole.subarray(0, whole.length - 200));
    const events: string[] = [];
    const err = await failure(path, { onProgress: (e) => events.push(e.type === 'phase' ? `${e.phase} ${e.status}` : e.type) });
    expect(err.code).toBe('ARCHIVE_CORRUPT');
    expect(err.message).toMatch(/is damaged or truncated \(pg_restore: error: .+\); point --source at a file written by pg_dump$/);
    expect(events).toEqual(['source start', 'log']);
  });

  test.each([
    ['plain SQL cut short', 'cut.sql', () => readFileSync(dumps().files.plain).subarray(0, 60_000)],
    ['gzip-compressed plain SQL cut short', 'cut.sql.gz', () => readFileSync(dumps().files['plain.gz']).subarray(0, 9_000)],
  ])('truncated: %s', async (_what, name, content) => {
    const path = file(name, content());
    expect(await failure(path)).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: expect.stringMatching(/(damaged or truncated|is truncated).*; point --source at a file written by pg_dump$/) });
  });

  test('truncated tar archive streamed from S3: fails while restoring (every schema, so the cut table is needed)', async () => {
    const events: string[] = [];
    const err = await failure('s3://backups/cut.tar', { schemas: undefined, onProgress: (e) => events.push(e.type) });
    expect(err).toMatchObject({ code: 'ARCHIVE_CORRUPT', message: expect.stringMatching(/^s3:\/\/backups\/cut\.tar is damaged or truncated \(.+\); point --source/) });
    expect(events).toEqual(['phase', 'log']);
  });

  test('a dump from a newer server than the local programs: names the version needed', async () => {
    const path = file('from-the-future.sql', readFileSync(dumps().files.plain, 'utf8').replace(/^-- Dumped from database version \d+/m, '-- Dumped from database version 99'));
    const err = await failure(path);
    expect(err.code).toBe('TOOL_FAILED');
    expect(err.message).toMatch(/^PostgreSQL 99 or newer programs \(initdb, pg_ctl, postgres, pg_restore, psql\) are needed, found only [\d.]+ in .+; install postgresql-client-99 or newer, or set PG_BIN$/);
  });

  test('a schema the archive does not hold: names a few it does', async () => {
    const err = await failure(dumps().files.custom, { schemas: ['customer_a1', 'customer_zz'] });
    expect(err).toBeInstanceOf(SchemaNotFoundError);
    expect(err.message).toBe(`schema "customer_zz" does not exist in pg_dump archive ${dumps().files.custom} ` +
      '(it holds Order Lines, customer_a1, customer_a2, deep, public and 1 more); check the name (it is case-sensitive) or the source');
  });

  test('unreadable file and directory (permission denied), checked as an ordinary user', () => {
    const secretFile = file('secret.dump', readFileSync(dumps().files.custom));
    const secretDir = join(scratch, 'secret.dir');
    mkdirSync(secretDir);
    copyFileSync(join(dumps().files.directory, 'toc.dat'), join(secretDir, 'toc.dat'));
    chmodSync(secretFile, 0o600);
    chmodSync(secretDir, 0o700);
    // Root reads everything: the check runs without the capabilities that let it (as root) or as ourselves,
    // in the checkout itself, which may sit in a directory no other user can enter (a private home).
    const script = `const { inspectDumpArchive } = require('./src/sources/dump/inspect-dump-archive');
      Promise.all(${JSON.stringify([secretFile, secretDir])}.map((path) => inspectDumpArchive({ kind: 'dump', path }).then(() => 'ok', (e) => e.code + ': ' + e.message)))
        .then((r) => console.log(JSON.stringify(r)));`;
    chmodSync(secretFile, 0);
    chmodSync(secretDir, 0);
    const node = [process.execPath, '-r', 'ts-node/register', '-e', script];
    const noOverride = ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
    const [command, ...args] = process.getuid?.() === 0 ? ['setpriv', ...noOverride, ...node] : node;
    const run = spawnSync(command, args, {
      cwd: resolve(__dirname, '../../..'),
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: 'tsconfig.json' },
    });
    chmodSync(secretDir, 0o700);
    expect(JSON.parse(run.stdout)).toEqual([
      `ARCHIVE_UNREADABLE: cannot read ${secretFile}: permission denied; make it readable by the user running pg-schema-restore`,
      `ARCHIVE_UNREADABLE: cannot read ${secretDir}: permission denied; make it readable by the user running pg-schema-restore`,
    ]);
  });
});

describe('abort', () => {
  test.each([
    ['before the server starts', (e: { type: string }) => e.type === 'phase'],
    ['while the server is running', (e: { type: string }) => e.type === 'log'],
  ])('%s: AbortedError and everything removed', async (_when, trigger) => {
    const controller = new AbortController();
    const err = await failure(dumps().files.custom, {
      signal: controller.signal,
      onProgress: (e) => {
        if (trigger(e)) controller.abort();
      },
    });
    expect(err).toBeInstanceOf(AbortedError);
  });
});
