import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { runCli } from '../../src/cli/program';
import { verifyBackup } from '../../src/drill/verify-backup';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { useLocalCluster } from '../support/postgres';
import { useLocalS3 } from '../support/s3';

jest.setTimeout(180_000);

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
let dir: string;
let work: string;
let good: BackupResult;

beforeAll(async () => {
  // The sample tenants use public's citext type and lookup table: a restore loads public's archive and the extension first.
  const url = (await createSampleDatabases(cluster(), { rows: 40, databases: { app: ['customer_a1', 'customer_a2'] } })).app;
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-verify-'));
  dir = join(work, 'good');
  good = await backupDatabase({ source: url, to: dir });
  await backupDatabase({ source: url, to: 's3://backups/nightly/', schemas: ['customer_a1', 'public'], s3: { client: s3().client } });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the good backup to damage, and the path of its run directory. */
function copyOfGood(name: string): { root: string; run: string } {
  const root = join(work, name);
  cpSync(dir, root, { recursive: true });
  const [runName] = readdirSync(join(root, 'app'));
  return { root, run: join(root, 'app', runName) };
}

function cli(): ReturnType<typeof fakeCli> {
  return fakeCli(() => Promise.reject(new Error('verify restores nothing into a target')));
}

test('a good backup in a directory verifies: sizes, sha256, tables of contents, and restored checksums', async () => {
  const events: string[] = [];
  const result = await verifyBackup({ from: dir, restore: true, onProgress: (e) => e.type === 'archive' && events.push(`${e.status} ${e.schema}`) });
  expect(result.ok).toBe(true);
  expect(result.location).toBe(good.location);
  expect(result.snapshotAt).toBe(good.manifest.snapshotAt);
  expect(result.schemas.map((s) => [s.schema, s.archiveOk, s.tocOk, s.restoredOk, s.problems])).toEqual([
    ['customer_a1', true, true, true, []],
    ['customer_a2', true, true, true, []],
    ['public', true, true, true, []],
  ]);
  expect(events).toEqual(expect.arrayContaining(['start customer_a1', 'done customer_a1', 'done customer_a2']));
  const run = cli();
  expect(await runCli(['backup', 'verify', '--from', dir], run.deps)).toBe(0);
  expect(run.stdout.text).toMatch(/customer_a1 .*sha256 ok {2}contents ok/);
  expect(run.stdout.text).toMatch(/^Verified: all 3 archive\(s\) match the manifest\.$/m);
});

test('a good backup in S3 verifies, restored from the object', async () => {
  const result = await verifyBackup({ from: 's3://backups/nightly/app/', restore: true, s3: { client: s3().client } });
  expect(result.location).toMatch(/^s3:\/\/backups\/nightly\/app\/\d{4}-\d\d-\d\dT\d{6}Z\/$/);
  expect(result.schemas.map((s) => [s.schema, s.archive.endsWith('/customer_a1.dump'), s.archiveOk, s.tocOk, s.restoredOk])).toEqual([
    ['customer_a1', true, true, true, true],
    ['public', false, true, true, true],
  ]);
  expect(result.ok).toBe(true);
});

test('a flipped byte is a sha256 problem naming the archive; the other schema stays ok; the CLI exits 1', async () => {
  const { root, run } = copyOfGood('flipped');
  const path = join(run, 'customer_a1.dump');
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length * 0.75);
  bytes[at] = 255 - bytes[at];
  writeFileSync(path, bytes);
  const result = await verifyBackup({ from: root });
  expect(result.ok).toBe(false);
  const [a1, a2, pub] = result.schemas;
  expect(a1.archiveOk).toBe(false);
  // Where the byte lands decides whether pg_restore -l still reads the table of contents; the sha256 always tells.
  expect(a1.problems[0]).toMatch(new RegExp(`^${path}: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64} \\(the archive is damaged\\)$`));
  expect([a2.archiveOk, a2.problems, pub.archiveOk]).toEqual([true, [], true]);
  const out = cli();
  expect(await runCli(['backup', 'verify', '--from', root, '--json'], out.deps)).toBe(1);
  const json = JSON.parse(out.stdout.text) as { ok: boolean; schemas: { schema: string; archiveOk: boolean }[] };
  expect(json.ok).toBe(false);
  expect(json.schemas.map((s) => [s.schema, s.archiveOk])).toEqual([['customer_a1', false], ['customer_a2', true], ['public', true]]);
});

test('a truncated archive is a size problem, and --restore does not restore it', async () => {
  const { root, run } = copyOfGood('truncated');
  const path = join(run, 'customer_a2.dump');
  const size = readFileSync(path).length;
  truncateSync(path, 200);
  const result = await verifyBackup({ from: root, restore: true });
  const a2 = result.schemas.find((s) => s.schema === 'customer_a2')!;
  expect(a2.archiveOk).toBe(false);
  expect(a2.restoredOk).toBeUndefined();
  expect(a2.problems[0]).toBe(`${path} has 200 bytes, the manifest says ${size} (truncated or replaced)`);
  expect(a2.problems).toContain('customer_a2 was not restored: its archive does not match the manifest');
  expect(result.schemas.find((s) => s.schema === 'customer_a1')!.restoredOk).toBe(true);
});

test('a manifest whose checksum was edited: the archive matches, but verify --restore names the table', async () => {
  const { root, run } = copyOfGood('edited');
  const manifestPath = join(run, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { schemas: { name: string; relations: { name: string; checksum: string }[] }[] };
  const orders = manifest.schemas.find((s) => s.name === 'customer_a1')!.relations.find((r) => r.name === 'orders')!;
  const original = orders.checksum;
  orders.checksum = String(BigInt(original) + 1n);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const out = cli();
  expect(await runCli(['backup', 'verify', '--from', root, '--restore', '--json'], out.deps)).toBe(1);
  type Verified = { schema: string; archiveOk: boolean; tocOk: boolean; restoredOk: boolean; problems: string[] };
  const json = JSON.parse(out.stdout.text) as { schemas: Verified[] };
  const a1 = json.schemas.find((s) => s.schema === 'customer_a1')!;
  expect([a1.archiveOk, a1.tocOk, a1.restoredOk]).toEqual([true, true, false]);
  const named = `^table customer_a1\\.orders: checksum ${orders.checksum} in the backup.s manifest, ${original} restored \\(rows (\\d+) and \\1\\)$`;
  expect(a1.problems).toEqual([expect.stringMatching(new RegExp(named))]);
  expect(json.schemas.find((s) => s.schema === 'customer_a2')!.restoredOk).toBe(true);
});

test('no backup at the location, or --from missing, are one-line errors', async () => {
  const empty = mkdtempSync(join(work, 'empty-'));
  await expect(verifyBackup({ from: empty })).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
  const out = cli();
  expect(await runCli(['backup', 'verify'], out.deps)).toBe(2);
  expect(out.stderr.text).toMatch(/^pg-schema-restore: --from <location> is required/);
});
