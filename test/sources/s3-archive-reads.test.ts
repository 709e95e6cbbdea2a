import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { backupDatabase } from '../../src/backups/backup-database';
import { dumpDatabase } from '../../src/local';
import { FIRST_HEAD_BYTES } from '../../src/sources/dump/archive-head';
import { ARCHIVE_HEAD_BYTES } from '../../src/sources/dump/dump-archive-format';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases } from '../../src/testing';
import { tableDigest, useLocalCluster } from '../support/postgres';
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
test.each(SCENARIOS.map(([name, source, tables], i) => [name, source, tables, `_r${i}`] as const))('%s: each archive is read whole once, else only its start', async (name, source, tables, suffix) => {
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
