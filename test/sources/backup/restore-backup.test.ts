import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../../src/backups/backup-database';
import { restoreSchema } from '../../../src/restore-schema';
import { createSampleDatabases } from '../../../src/testing';
import { createDatabase, execSql, processesUnder, schemaDigests, stagingLikeSchemas, tableDigest, useLocalCluster, withClient } from '../../support/postgres';

const cluster = useLocalCluster();
let url: string;
let dir: string;
let first: BackupResult;
let second: BackupResult;
/** customer_a1's tables as they were when the first backup was taken. */
let atFirst: Record<string, { rows: number; md5: string }>;

const digests = schemaDigests;

async function schemaExists(schema: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1);
}

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 40, databases: { app: ['customer_a1', 'customer_a2'] } })).app;
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-from-backup-'));
  first = await backupDatabase({ source: url, to: dir });
  atFirst = await digests(url, 'customer_a1');
  await execSql(url, `DELETE FROM customer_a1.order_items; DELETE FROM customer_a1.orders WHERE id % 3 = 0;
    UPDATE customer_a1.users SET full_name = 'after the first backup' WHERE id <= 5`);
  second = await backupDatabase({ source: url, to: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the manifest records what each schema depends on: customer_a1 uses public (countries, citext)', () => {
  const a1 = first.manifest.schemas.find((s) => s.name === 'customer_a1')!;
  expect(a1.dependsOn).toEqual(['public']);
  expect(a1.extensions).toEqual([{ name: 'citext', schema: 'public' }]);
  expect(first.manifest.schemas.find((s) => s.name === 'public')!.dependsOn).toEqual([]);
});

test('at: the older backup, restored exactly as it was backed up (public and citext loaded first), checked against the manifest', async () => {
  const events: string[] = [];
  const report = await restoreSchema({
    source: { kind: 'backup', location: join(dir, 'app'), at: new Date(first.manifest.snapshotAt) },
    target: url,
    schemas: ['customer_a1'],
    suffix: '_first',
    onProgress: (e) => {
      if (e.type === 'phase' || e.type === 'archive') events.push(e.type === 'archive' ? `archive ${e.status} ${e.schema}` : `${e.phase} ${e.status}: ${e.message}`);
    },
  });
  expect(report.restorePoint).toBe(first.manifest.snapshotAt);
  expect(report.backup).toEqual({ location: first.location, snapshotAt: first.manifest.snapshotAt });
  expect(await digests(url, 'customer_a1_first')).toEqual(atFirst);
  expect(Object.keys(atFirst).length).toBeGreaterThan(3);
  expect(events).toEqual(expect.arrayContaining([
    expect.stringMatching(new RegExp(`^source start: restoring customer_a1 \\(and public, which it depends on\\) from backup ${first.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(snapshot ${first.manifest.snapshotAt}\\)`)),
    'archive done public', 'archive done customer_a1',
    expect.stringMatching(/^validate done: \d+ tables and materialized views match the backup's manifest$/),
  ]));
  expect(events.indexOf('archive done public')).toBeLessThan(events.indexOf('archive start customer_a1'));
  // Only customer_a1 (and public, which it needs) was read: customer_a2's archive was not.
  expect(events.filter((e) => e.startsWith('archive start'))).toEqual(['archive start public', 'archive start customer_a1']);
});

test('without at: the newest backup', async () => {
  await restoreSchema({ source: { kind: 'backup', location: join(dir, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_second' });
  const restored = await digests(url, 'customer_a1_second');
  expect(restored.order_items.rows).toBe(0);
  expect(restored).not.toEqual(atFirst);
  expect(second.manifest.schemas.find((s) => s.name === 'customer_a1')!.relations.find((r) => r.name === 'orders')!.rows).toBe(restored.orders.rows);
});

test('extensions: one in the tenant\'s own schema and one in a schema not backed up are created before the archive loads', async () => {
  const extUrl = await createDatabase(cluster(), 'ext');
  await execSql(extUrl, `CREATE SCHEMA tenant_ext; CREATE EXTENSION hstore WITH SCHEMA tenant_ext;
    CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext;
    CREATE TABLE tenant_ext.items (id int PRIMARY KEY, attrs tenant_ext.hstore, owner_email ext.citext);
    INSERT INTO tenant_ext.items SELECT g, tenant_ext.hstore('k', g::text), 'Person' || g || '@example.com' FROM generate_series(1, 20) g`);
  const { manifest } = await backupDatabase({ source: extUrl, to: dir, schemas: ['tenant_ext'] });
  expect(manifest.schemas[0]).toMatchObject({ dependsOn: [], extensions: [{ name: 'citext', schema: 'ext' }, { name: 'hstore', schema: 'tenant_ext' }] });
  await restoreSchema({ source: { kind: 'backup', location: join(dir, 'ext') }, target: extUrl, schemas: ['tenant_ext'], suffix: '_back' });
  expect(await tableDigest(extUrl, 'tenant_ext_back', 'items')).toEqual(await tableDigest(extUrl, 'tenant_ext', 'items'));
});

test('abort while an archive loads: the throwaway server and its files are gone, nothing in the target', async () => {
  const baseDir = mkdtempSync(join(tmpdir(), 'pgsr-test-abort-'));
  chmodSync(baseDir, 0o755); // the server's OS user works inside it
  const controller = new AbortController();
  try {
    await expect(restoreSchema({
      source: { kind: 'backup', location: join(dir, 'app') },
      target: url,
      schemas: ['customer_a1'],
      suffix: '_aborted',
      tempDir: baseDir,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'archive' && e.status === 'start' && e.schema === 'customer_a1') controller.abort();
      },
    })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(processesUnder(baseDir)).toEqual([]);
    expect(readdirSync(baseDir)).toEqual([]);
    expect(await schemaExists('customer_a1_aborted')).toBe(false);
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
});

describe('damage', () => {
  let copy: string;
  let run: string;
  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'pgsr-test-damaged-'));
    run = join(copy, 'app', second.location.split('/').filter(Boolean).pop()!);
    cpSync(join(dir, 'app'), join(copy, 'app'), { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  test.each([['in the header', () => 20], ['in the table of contents', () => 400], ['near the end (the data)', (n: number) => Math.floor(n * 0.9)]])('one byte flipped %s: BACKUP_CORRUPT naming the archive, nothing in the target', async (_where, offset) => {
    const file = join(run, 'customer_a1.dump');
    const bytes = readFileSync(file);
    const index = offset(bytes.length);
    bytes[index] = 255 - bytes[index];
    writeFileSync(file, bytes);
    await expect(restoreSchema({ source: { kind: 'backup', location: join(copy, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_damaged' }))
      .rejects.toMatchObject({ code: 'BACKUP_CORRUPT', message: `${file}: its sha256 differs from the manifest: the archive is damaged; use another backup (\`backup list\`)` });
    expect(await schemaExists('customer_a1_damaged')).toBe(false);
    expect(await stagingLikeSchemas(url)).toEqual([]);
  });

  test('an archive the manifest lists is missing: BACKUP_CORRUPT naming it', async () => {
    rmSync(join(run, 'customer_a1.dump'));
    await expect(restoreSchema({ source: { kind: 'backup', location: join(copy, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_missing' }))
      .rejects.toMatchObject({ code: 'BACKUP_CORRUPT', message: `${join(run, 'customer_a1.dump')} is missing: the backup run is damaged; use another backup (\`backup list\`)` });
  });

  test('a run without its manifest is ignored (the older one is restored); with none complete, BACKUP_NOT_FOUND', async () => {
    rmSync(join(run, 'manifest.json'));
    const report = await restoreSchema({ source: { kind: 'backup', location: join(copy, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_no_manifest' });
    expect(report.restorePoint).toBe(first.manifest.snapshotAt);
    expect(await digests(url, 'customer_a1_no_manifest')).toEqual(atFirst);
    const firstRun = join(copy, 'app', first.location.split('/').filter(Boolean).pop()!);
    rmSync(join(firstRun, 'manifest.json'));
    await expect(restoreSchema({ source: { kind: 'backup', location: join(copy, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_none' }))
      .rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND', message: `no complete backup under ${join(copy, 'app')}/ (2 incomplete runs without a manifest); check the location, or run backup first` });
    expect(await schemaExists('customer_a1_none')).toBe(false);
  });

  test.each([['after validation', true], ['with validation off (checksummed over the manifest\'s columns)', false]])('a manifest whose checksum disagrees with the archive\'s rows, %s: VALIDATION_FAILED before publish', async (_how, validate) => {
    const path = join(run, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    const users = manifest.schemas.find((s: { name: string }) => s.name === 'customer_a1').relations.find((r: { name: string }) => r.name === 'users');
    users.checksum = String(BigInt(users.checksum) + 1n);
    writeFileSync(path, JSON.stringify(manifest));
    await expect(restoreSchema({ source: { kind: 'backup', location: join(copy, 'app') }, target: url, schemas: ['customer_a1'], suffix: '_tampered', validate }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED', mismatches: [`customer_a1.users: same ${users.rows} rows as the backup's manifest but different content`] });
    expect(await schemaExists('customer_a1_tampered')).toBe(false);
    expect(await stagingLikeSchemas(url)).toEqual([]);
  });
});
