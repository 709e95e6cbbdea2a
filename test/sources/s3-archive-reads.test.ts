import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { backupDatabase } from '../../src/backups/backup-database';
import { dumpDatabase } from '../../src/local';
import { restoreSchema } from '../../src/restore-schema';
import { FIRST_HEAD_BYTES } from '../../src/sources/dump/archive-head';
import { ARCHIVE_HEAD_BYTES } from '../../src/sources/dump/dump-archive-format';
import { createSampleDatabases } from '../../src/testing';
import { createDatabase, execSql, tableDigest, useLocalCluster, withClient } from '../support/postgres';
import { S3Proxy, s3ClientAt, startS3Proxy, useLocalS3 } from '../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
let url: string;
let proxy: S3Proxy;
let client: S3Client;
/** Archive key → its size in bytes. */
const sizes = new Map<string, number>();

/** One GetObject of an archive, as the proxy saw it. */
interface ArchiveRead {
  readonly key: string;
  /** The Range header, undefined for a read of the whole object. */
  readonly range?: string;
  readonly bytes: number;
}

beforeAll(async () => {
  // Enough rows that an archive's data dwarfs its table of contents.
  url = (await createSampleDatabases(cluster(), { rows: 3000, databases: { app: ['tenant_a', 'tenant_b'] } })).app;
  const backup = await backupDatabase({ source: url, to: 's3://backups/nightly/', s3: { client: s3().client } });
  for (const schema of backup.manifest.schemas) sizes.set(`${backup.location.replace('s3://backups/', '')}${schema.archive}`, schema.bytes);
  const dir = mkdtempSync(join(tmpdir(), 'pgsr-test-reads-'));
  try {
    await dumpDatabase(cluster(), 'app', join(dir, 'app.dump'));
    const body = readFileSync(join(dir, 'app.dump'));
    await s3().put('backups', 'dumps/app.dump', body);
    sizes.set('dumps/app.dump', body.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  proxy = await startS3Proxy(s3().endpoint);
  client = s3ClientAt(proxy.endpoint);
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
});

/** Restore through the proxy and return the GetObjects of archives it sent. */
async function archiveReads(restore: (client: S3Client) => Promise<unknown>): Promise<ArchiveRead[]> {
  proxy.requests.splice(0);
  await restore(client);
  return proxy.requests
    .filter((r) => r.method === 'GET' && r.url.split('?')[0].endsWith('.dump'))
    .map((r) => ({ key: decodeURIComponent(r.url.split('?')[0].replace(/^\/backups\//, '')), range: r.headers.range as string | undefined, bytes: r.responseBytes }));
}

/** What a restore read of one archive. */
interface ArchiveReads {
  /** GetObjects of the whole object (no Range, or a Range that covered all of it). */
  whole: number;
  /** Bytes of each ranged GetObject of only the archive's start. */
  starts: number[];
  /** Bytes read in all. */
  bytes: number;
  size: number;
}

/** Per archive (by file name): how it was read. */
function summary(reads: readonly ArchiveRead[]): Record<string, ArchiveReads> {
  const out: Record<string, ArchiveReads> = {};
  for (const read of reads) {
    const size = sizes.get(read.key)!;
    const entry = (out[read.key.split('/').pop()!] ??= { whole: 0, starts: [], bytes: 0, size });
    if (read.range === undefined || read.bytes >= size) entry.whole += 1;
    else entry.starts.push(read.bytes);
    entry.bytes += read.bytes;
  }
  return out;
}

/** Each archive read whole once; besides, only starts of it, none larger than `largest`. */
function expectReadOnce(reads: Record<string, ArchiveReads>, archives: readonly string[], largest: number): void {
  expect(Object.keys(reads).sort()).toEqual([...archives].sort());
  for (const [name, read] of Object.entries(reads)) {
    expect({ name, whole: read.whole }).toEqual({ name, whole: 1 });
    for (const start of read.starts) expect(start).toBeLessThanOrEqual(largest);
    expect(read.bytes).toBe(read.size + read.starts.reduce((sum, b) => sum + b, 0));
  }
}

async function expectSameRows(suffix: string, tables: readonly string[]): Promise<void> {
  for (const table of tables) expect(await tableDigest(url, `tenant_a${suffix}`, table)).toEqual(await tableDigest(url, 'tenant_a', table));
}

const SCENARIOS: Array<[string, { kind: 'backup'; location: string } | { kind: 'dump'; path: string }, string[] | undefined]> = [
  ['a whole schema from a backup in S3', { kind: 'backup', location: 's3://backups/nightly/app/' }, undefined],
  ['a whole schema from a dump archive in S3', { kind: 'dump', path: 's3://backups/dumps/app.dump' }, undefined],
  ['single tables from a backup in S3', { kind: 'backup', location: 's3://backups/nightly/app/' }, ['tenant_a.order_items']],
  ['single tables from a dump archive in S3', { kind: 'dump', path: 's3://backups/dumps/app.dump' }, ['tenant_a.order_items']],
];

/*
 * Before archives were read once (the same restores, this data): from a backup, public.dump was
 * fetched whole 3 times and tenant_a.dump 2 times (5 with tables: 3 049 005 bytes of a 609 801-byte
 * archive); from a dump archive, app.dump 4 times whole and once its first 8 KiB (6 times whole
 * with tables: 7 335 974 bytes of a 1 221 297-byte archive).
 */
test.each(SCENARIOS.map(([name, source, tables], i) => [name, source, tables, `_r${i}`] as const))('%s: each archive is read whole once, else only its start', async (_name, source, tables, suffix) => {
  const reads = summary(await archiveReads((s3Client) => restoreSchema({ source, target: url, schemas: ['tenant_a'], tables, suffix, clients: { s3: s3Client } })));
  if (source.kind === 'backup') {
    expectReadOnce(reads, ['public.dump', 'tenant_a.dump'], FIRST_HEAD_BYTES);
    // Roles and the table of contents from one ranged read; public.dump is smaller than it, so held whole and not fetched again.
    expect(reads['tenant_a.dump'].starts).toHaveLength(1);
    expect(reads['public.dump'].starts).toHaveLength(0);
  } else {
    expectReadOnce(reads, ['app.dump'], FIRST_HEAD_BYTES);
    // The format's 8 KiB, then one ranged read for every pass over the table of contents.
    expect(reads['app.dump'].starts).toEqual([ARCHIVE_HEAD_BYTES, FIRST_HEAD_BYTES]);
  }
  await expectSameRows(suffix, tables ? ['order_items'] : ['users', 'products', 'orders', 'order_items', 'audit_log']);
}, 300_000);

test('a table of contents larger than the first ranged read: its start is read again, 4x larger each time, and the archive still whole once', async () => {
  const wide = await createDatabase(cluster(), 'wide');
  // 200 tables with long comments (definitions are not compressed): a table of contents of some 350 KiB, before MiBs of data.
  await execSql(wide, `CREATE SCHEMA wide;
    DO $$ BEGIN FOR i IN 1..200 LOOP
      EXECUTE format('CREATE TABLE wide.t%s (id int PRIMARY KEY, note text)', i);
      EXECUTE format('COMMENT ON TABLE wide.t%s IS %L', i, repeat('x', 1500));
      EXECUTE format('INSERT INTO wide.t%s VALUES (1, %L)', i, 'row of ' || i);
    END LOOP; END $$;
    CREATE TABLE wide.big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS filler FROM generate_series(1, 150000) g;`);
  const backup = await backupDatabase({ source: wide, to: 's3://backups/wide/', schemas: ['wide'], s3: { client: s3().client } });
  const archive = backup.manifest.schemas.find((s) => s.name === 'wide')!;
  const key = `${backup.location.replace('s3://backups/', '')}${archive.archive}`;
  sizes.set(key, archive.bytes);
  expect(archive.bytes).toBeGreaterThan(16 * FIRST_HEAD_BYTES);
  const reads = summary((await archiveReads((s3Client) => restoreSchema({
    source: { kind: 'backup', location: 's3://backups/wide/wide/' }, target: wide, schemas: ['wide'], suffix: '_back', clients: { s3: s3Client },
  }))).filter((r) => r.key === key));
  expectReadOnce(reads, ['wide.dump'], 16 * FIRST_HEAD_BYTES);
  expect(reads['wide.dump'].starts).toEqual([FIRST_HEAD_BYTES, 4 * FIRST_HEAD_BYTES, 16 * FIRST_HEAD_BYTES]);
  for (const table of ['big', 't1', 't200']) expect(await tableDigest(wide, 'wide_back', table)).toEqual(await tableDigest(wide, 'wide', table));
  expect(await withClient(wide, async (c) => (await c.query("SELECT obj_description('wide_back.t200'::regclass) AS c")).rows[0].c)).toBe('x'.repeat(1500));
}, 300_000);

describe('a damaged archive in S3 is BACKUP_CORRUPT, also when only its start was read for the definitions', () => {
  let run: string;
  const original = new Map<string, Buffer>();
  beforeAll(async () => {
    const backup = await backupDatabase({ source: url, to: 's3://backups/damaged/', schemas: ['public', 'tenant_b'], s3: { client: s3().client } });
    run = backup.location.replace('s3://backups/', '');
    for (const name of ['public.dump', 'tenant_b.dump']) {
      const object = await s3().client.send(new GetObjectCommand({ Bucket: 'backups', Key: run + name }));
      original.set(name, Buffer.from(await object.Body!.transformToByteArray()));
    }
  }, 300_000);

  const damage = async (name: string, change: (bytes: Buffer) => Buffer): Promise<void> => {
    for (const [n, bytes] of original) await s3().put('backups', run + n, n === name ? change(Buffer.from(bytes)) : bytes);
  };
  const restore = (suffix: string) => restoreSchema({
    source: { kind: 'backup', location: 's3://backups/damaged/app/' }, target: url, schemas: ['tenant_b'], suffix, clients: { s3: client },
  });
  const flip = (at: number) => (bytes: Buffer): Buffer => {
    bytes[at] = 255 - bytes[at];
    return bytes;
  };

  test.each([
    ['a byte flipped in the table of contents', 'tenant_b.dump', flip(400), 'its sha256'],
    ['cut off inside the table of contents', 'tenant_b.dump', (b: Buffer) => b.subarray(0, 1000), 'its size (1000 bytes'],
    ['cut off in the data', 'tenant_b.dump', (b: Buffer) => b.subarray(0, b.length - 5000), 'its size ('],
    ['a small archive held whole, with bytes appended', 'public.dump', (b: Buffer) => Buffer.concat([b, Buffer.from('tail')]), 'its size ('],
  ])('%s', async (_what, name, change, what) => {
    await damage(name, change);
    await expect(restore('_damaged')).rejects.toMatchObject({ code: 'BACKUP_CORRUPT', message: expect.stringContaining(`s3://backups/${run}${name}: ${what}`) });
    expect(await withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'tenant_b_damaged'")).rowCount)).toBe(0);
  }, 300_000);
});
