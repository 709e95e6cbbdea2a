import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupManifest, MANIFEST_FORMAT, MANIFEST_VERSION, manifestText } from '../../../src/backups/backup-manifest';
import { BackupStore, openBackupStore } from '../../../src/backups/backup-store';
import { findBackupRun } from '../../../src/sources/backup/find-backup-run';

let root: string;

function manifest(database: string, snapshotAt: string): BackupManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    tool: { name: 'pg-schema-restore', version: '0.0.0' },
    database,
    serverVersion: '15.10',
    encoding: 'UTF8',
    snapshotAt,
    startedAt: snapshotAt,
    finishedAt: snapshotAt,
    schemas: [{ name: 'customer_a1', archive: 'customer_a1.dump', format: 'custom', bytes: 5, sha256: 'a'.repeat(64), relations: [], sequences: [] }],
  };
}

/** The store, writing down every key read. */
function counting(store: BackupStore, reads: string[]): BackupStore {
  return {
    ...store,
    read: (key) => {
      reads.push(key);
      return store.read(key);
    },
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pgsr-test-find-run-'));
  const store = openBackupStore(root);
  const runs: Array<[string, string | undefined]> = [
    ['app/2026-11-25T020000Z/', '2026-11-25T02:00:00.100Z'],
    ['app/2026-11-26T020000Z/', '2026-11-26T02:00:00.100Z'],
    ['app/2026-11-26T020000Z-2/', '2026-11-26T02:00:00.900Z'],
    ['app/2026-11-27T020000Z/', undefined], // incomplete: no manifest
  ];
  for (const [path, at] of runs) {
    await store.write(`${path}customer_a1.dump`, Buffer.from('PGDMP'));
    if (at) await store.write(`${path}manifest.json`, Buffer.from(manifestText(manifest('app', at))));
  }
  await store.write('other/2026-11-26T020000Z/manifest.json', Buffer.from(manifestText(manifest('other', '2026-11-26T02:00:00.000Z'))));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the newest complete run at or before --at, reading only the manifests of the runs named in its second', async () => {
  const reads: string[] = [];
  const store = counting(openBackupStore(join(root, 'app')), reads);
  expect((await findBackupRun(store, { where: 'x' })).path).toBe('2026-11-26T020000Z-2/');
  expect(reads.sort()).toEqual(['2026-11-26T020000Z-2/manifest.json', '2026-11-26T020000Z/manifest.json']);
  // Named in the same second as --at but taken after it: the one before.
  expect((await findBackupRun(store, { at: new Date('2026-11-26T02:00:00.500Z'), where: 'x' })).path).toBe('2026-11-26T020000Z/');
  reads.length = 0;
  expect((await findBackupRun(store, { at: new Date('2026-11-26T01:00:00Z'), where: 'x' })).path).toBe('2026-11-25T020000Z/');
  expect(reads).toEqual(['2026-11-25T020000Z/manifest.json']);
});

test('errors are chooseBackup\'s, with every run read: --at before the first names the oldest; several databases; a missing schema', async () => {
  const store = openBackupStore(join(root, 'app'));
  await expect(findBackupRun(store, { at: new Date('2026-11-01T00:00:00Z'), where: 'x' }))
    .rejects.toThrow('no backup under x at or before 2026-11-01T00:00:00.000Z; the oldest is from 2026-11-25T02:00:00.100Z: choose a later --at');
  await expect(findBackupRun(openBackupStore(root), { where: 'root/' })).rejects.toThrow(/holds backups of several databases \(app, other\)/);
  await expect(findBackupRun(store, { schemas: ['customer_b1'], where: 'x' })).rejects.toMatchObject({ code: 'SCHEMA_NOT_FOUND' });
});
