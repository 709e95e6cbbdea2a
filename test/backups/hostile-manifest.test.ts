import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { MANIFEST_FILE, parseManifest } from '../../src/backups/backup-manifest';
import { BackupStore, openBackupStore } from '../../src/backups/backup-store';
import { chooseBackup } from '../../src/backups/choose-backup';
import { restoreFromBackup } from '../../src/sources/backup/restore-backup';
import { writeSyntheticRun } from '../support/backup-runs';
import { S3RVER_CREDENTIALS, startS3Proxy, useLocalS3 } from '../support/s3';

const s3 = useLocalS3(['backups']);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What an attacker (or a damaged copy) might put in a manifest: each must be refused as BACKUP_CORRUPT. */
const HOSTILE: Array<[string, { name?: string; archive?: string }]> = [
  ['archive ../x', { archive: '../x' }],
  ['archive /etc/passwd', { archive: '/etc/passwd' }],
  ['archive a/b', { archive: 'a/b' }],
  ['archive %2e%2e', { archive: '%2e%2e' }],
  ['archive with a NUL byte', { archive: 'customer_a1\0.dump' }],
  ['a very long archive name', { archive: `${'x'.repeat(5_000)}.dump` }],
  ['another schema\'s archive', { archive: 'customer_a2.dump' }],
  // Its archive is still customer_a1.dump, not the name's own (a quote alone is a legal name: see backup-database.test.ts).
  ['schema name with a double quote', { name: 'a"; DROP SCHEMA public CASCADE; --' }],
  ['schema name with a newline', { name: 'customer_a1\nDROP' }],
  ['schema name with a NUL byte', { name: 'customer\0a1' }],
  ['a very long schema name', { name: 'x'.repeat(64) }],
];

/** The manifest of a synthetic run with its first schema changed as `change` says. */
async function hostileRun(store: BackupStore, change: { name?: string; archive?: string }): Promise<string> {
  const path = await writeSyntheticRun(store, { at: '2026-11-27T02:00:00Z', schemas: { customer_a1: 100, customer_a2: 100 } });
  const read = async (): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read(path + MANIFEST_FILE)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const manifest = JSON.parse(await read());
  Object.assign(manifest.schemas[0], change);
  await store.write(path + MANIFEST_FILE, Buffer.from(JSON.stringify(manifest)));
  return path;
}

/** A store that records every key read. */
function recording(store: BackupStore): { store: BackupStore; reads: string[] } {
  const reads: string[] = [];
  return { store: { ...store, read: (key) => (reads.push(key), store.read(key)) }, reads };
}

/** Every file under a directory, with its size and mtime. */
function tree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const info = statSync(join(root, name));
    files[name] = `${info.isDirectory() ? 'dir' : info.size} ${info.mtimeMs}`;
  }
  return files;
}

test.each(HOSTILE)('directory store, %s: BACKUP_CORRUPT before any archive is read, and nothing is written', async (_what, change) => {
  const backups = join(dir, 'backups');
  const path = await hostileRun(openBackupStore(backups), change);
  // Files an escaping name could reach: beside the run, and outside the backups' root.
  writeFileSync(join(dir, 'x'), 'outside');
  writeFileSync(join(backups, 'app', 'x'), 'beside');
  const before = tree(dir);
  const text = readFileSync(join(backups, path, MANIFEST_FILE), 'utf8');
  expect(() => parseManifest(text, 'manifest.json')).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT' }));
  const { store, reads } = recording(openBackupStore(backups));
  const runs = await listBackupRuns(store);
  expect(runs).toEqual([expect.objectContaining({ complete: false, problem: expect.stringMatching(/is not a valid backup manifest: /) })]);
  expect(runs[0].problem).not.toContain('\n');
  expect(runs[0].problem!.length).toBeLessThan(400);
  expect(() => chooseBackup(runs, { where: backups })).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT' }));
  expect(reads).toEqual([path + MANIFEST_FILE]);
  await expect(restoreFromBackup({ kind: 'backup', location: join(backups, 'app') }, { schemas: ['customer_a1'], baseDir: dir }))
    .rejects.toMatchObject({ code: 'BACKUP_CORRUPT', message: expect.stringMatching(/^no usable backup under .*manifest\.json is not a valid backup manifest: /) });
  expect(tree(dir)).toEqual(before);
});

test.each(HOSTILE)('S3, %s: BACKUP_CORRUPT after listing and reading the manifest only; no object written or removed', async (_what, change) => {
  const prefix = `hostile-${Math.random().toString(16).slice(2)}/`;
  await hostileRun(openBackupStore(`s3://backups/${prefix}`, { client: s3().client }), change);
  const keys = async (): Promise<string[]> => ((await s3().client.send(new ListObjectsV2Command({ Bucket: 'backups' }))).Contents ?? []).map((o) => o.Key!).sort();
  const before = await keys();
  const proxy = await startS3Proxy(s3().endpoint);
  const client = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS, forcePathStyle: true });
  try {
    await expect(restoreFromBackup({ kind: 'backup', location: `s3://backups/${prefix}app/` }, { schemas: ['customer_a1'], baseDir: dir, clients: { s3: client } }))
      .rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
  } finally {
    client.destroy();
    await proxy.close();
  }
  const requests = proxy.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`);
  // Listings of the bucket and the manifest: no archive, nothing outside the run, no write.
  expect(requests.filter((r) => !['GET /backups', 'GET /backups/'].includes(r) && !r.endsWith(`/${MANIFEST_FILE}`))).toEqual([]);
  expect([...new Set(requests.filter((r) => r.endsWith(`/${MANIFEST_FILE}`)))]).toEqual([`GET /backups/${prefix}app/2026-11-27T020000Z/${MANIFEST_FILE}`]);
  expect(await keys()).toEqual(before);
  expect(readdirSync(dir)).toEqual([]);
});
