import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { backupDatabase } from '../../src/backups/backup-database';
import { dumpDatabase } from '../../src/local';
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

/** Per archive: whole-object reads, ranged reads, and bytes read in all, against the archive's size. */
function summary(reads: readonly ArchiveRead[]): Record<string, { full: number; ranged: number; bytes: number; size: number }> {
  const out: Record<string, { full: number; ranged: number; bytes: number; size: number }> = {};
  for (const read of reads) {
    const name = read.key.split('/').pop()!;
    const entry = (out[name] ??= { full: 0, ranged: 0, bytes: 0, size: sizes.get(read.key)! });
    if (read.range === undefined) entry.full += 1;
    else entry.ranged += 1;
    entry.bytes += read.bytes;
  }
  return out;
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

test.each(SCENARIOS.map(([name, source, tables], i) => [name, source, tables, `_r${i}`] as const))('%s: each archive is read whole once', async (name, source, tables, suffix) => {
  const reads = await archiveReads((s3Client) => restoreSchema({ source, target: url, schemas: ['tenant_a'], tables, suffix, clients: { s3: s3Client } }));
  console.log(name, JSON.stringify(summary(reads)));
  await expectSameRows(suffix, tables ? ['order_items'] : ['users', 'products', 'orders', 'order_items', 'audit_log']);
}, 300_000);
