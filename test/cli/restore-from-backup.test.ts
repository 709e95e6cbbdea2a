import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { runCli } from '../../src/cli/program';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { execSql, schemaDigests, useLocalCluster, withClient } from '../support/postgres';
import { S3RVER_CREDENTIALS, useLocalS3 } from '../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
let url: string;
let dir: string;
let first: BackupResult;
let second: BackupResult;
let atFirst: Record<string, { rows: number; md5: string }>;
let atSecond: Record<string, { rows: number; md5: string }>;

const digests = (schema: string): ReturnType<typeof schemaDigests> => schemaDigests(url, schema);

/** Run the CLI: exit code, stdout, stderr lines. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string[]; calls: number }> {
  const run = fakeCli(restoreSchema);
  const code = await runCli(['restore', '--target', url, '--schema', 'customer_a1', '--s3-endpoint', s3().endpoint, ...args], run.deps);
  // The test cluster's URL carries a password: that warning is expected and not what these tests are about.
  const stderr = run.stderr.lines().filter((l) => !l.includes('a password on the command line'));
  return { code, stdout: run.stdout.text, stderr, calls: run.calls.length };
}

beforeAll(async () => {
  // The CLI builds its S3 client from the standard credential chain, as in production.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' });
  url = (await createSampleDatabases(cluster(), { rows: 30, databases: { app: ['customer_a1', 'customer_a2'] } })).app;
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-cli-backups-'));
  const s3Options = { client: s3().client };
  first = await backupDatabase({ source: url, to: 's3://backups/nightly/', s3: s3Options });
  atFirst = await digests('customer_a1');
  await execSql(url, `DELETE FROM customer_a1.orders WHERE id % 2 = 0; UPDATE customer_a1.users SET full_name = 'changed' WHERE id < 4;
    REFRESH MATERIALIZED VIEW customer_a1.product_sales`);
  second = await backupDatabase({ source: url, to: 's3://backups/nightly/', s3: s3Options });
  await backupDatabase({ source: url, to: dir, schemas: ['public', 'customer_a1'] });
  atSecond = await digests('customer_a1');
  // The incident: what the restores bring back is gone from the live schema.
  await execSql(url, 'DELETE FROM customer_a1.order_items; DELETE FROM customer_a1.orders');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

test('--source s3://…/<database>/: --dry-run shows the newest backup and what it reads, creating nothing; the restore brings it back exactly', async () => {
  const plan = await cli(['--source', 's3://backups/nightly/app/', '--suffix', '_newest', '--dry-run', '--json']);
  expect(plan).toMatchObject({ code: 0, calls: 0 });
  const parsed = JSON.parse(plan.stdout);
  expect(parsed.source).toBe(`backup ${second.location} (snapshot ${second.manifest.snapshotAt})`);
  expect(parsed.restorePoint).toBe(second.manifest.snapshotAt);
  expect(parsed.steps[0]).toMatch(/^read 2 archives, .* of s3:\/\/backups\/nightly\/app\/.*: public\.dump \(.*\), customer_a1\.dump \(.*\); public only as it depends on it; check each one's sha256 against the manifest$/);
  expect(parsed.schemas[0].tables).toEqual(expect.arrayContaining([{ name: 'orders', estimatedRows: atSecond.orders.rows, estimatedBytes: 0 }]));

  const restored = await cli(['--source', 's3://backups/nightly/app/', '--suffix', '_newest', '--json']);
  expect(restored.stderr).toEqual([]);
  expect(restored.code).toBe(0);
  expect(JSON.parse(restored.stdout).restorePoint).toBe(second.manifest.snapshotAt);
  expect(await digests('customer_a1_newest')).toEqual(atSecond);
});

test('--at picks the backup at or before it: the data as of the older backup', async () => {
  // Between the two backups (at or before the second's snapshot, after the first's).
  const [older, newer] = [first, second].map((b) => new Date(b.manifest.snapshotAt).getTime());
  const at = new Date(Math.floor((older + newer) / 2)).toISOString();
  expect(older).toBeLessThan(newer);
  const restored = await cli(['--source', 's3://backups/nightly/app/', '--at', at, '--suffix', '_older', '--json']);
  expect(restored.stderr).toEqual([]);
  expect(JSON.parse(restored.stdout).restorePoint).toBe(first.manifest.snapshotAt);
  expect(await digests('customer_a1_older')).toEqual(atFirst);
  expect(atFirst).not.toEqual(atSecond);
});

test('a directory of backups: detected without --at, restored from the newest; the summary names the backup', async () => {
  const restored = await cli(['--source', join(dir, 'app'), '--suffix', '_dir']);
  expect(restored.code).toBe(0);
  expect(restored.stderr).toEqual(expect.arrayContaining([expect.stringMatching(/restoring customer_a1 \(and public, which it depends on\) from backup /)]));
  expect(restored.stdout).toMatch(new RegExp(`^  from backup ${dir}/app/\\d{4}-\\d\\d-\\d\\dT\\d{6}Z/: every archive matched its sha256, every table the manifest's checksum$`, 'm'));
  expect(await digests('customer_a1_dir')).toEqual(atSecond);
});

test('one line each: --at before the first backup names the oldest; an empty prefix; a schema not in the backup', async () => {
  const early = await cli(['--source', 's3://backups/nightly/app/', '--at', '2020-01-01T00:00:00Z', '-q']);
  expect(early.code).toBe(1);
  expect(early.stderr).toEqual([`pg-schema-restore: no backup under s3://backups/nightly/app/ at or before 2020-01-01T00:00:00.000Z; the oldest is from ${first.manifest.snapshotAt}: choose a later --at`]);

  const empty = await cli(['--source', 's3://backups/nothing-here/', '--at', '2030-01-01T00:00:00Z', '-q']);
  expect(empty.code).toBe(1);
  expect(empty.stderr).toEqual(['pg-schema-restore: no complete backup under s3://backups/nothing-here/; check the location, or run backup first']);

  const missing = await cli(['--source', join(dir, 'app'), '--schema', 'customer_a2', '-q']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toEqual([expect.stringMatching(/^pg-schema-restore: the backup .*\/app\/[^/]+\/ has no schema "customer_a2"; it holds public, customer_a1$/)]);
  expect(await withClient(url, async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'customer_a%' OR nspname LIKE 'pgsr%' ORDER BY 1")).rows.map((r) => r.nspname)))
    .toEqual(['customer_a1', 'customer_a1_dir', 'customer_a1_newest', 'customer_a1_older', 'customer_a2']);
});
