import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { buildSync } from 'esbuild';
import { openBackupStore } from '../../src/backups/backup-store';
import type { DrillReport } from '../../src/drill/drill-report';
import { createSampleDatabases } from '../../src/testing';
import { useLocalCluster } from '../support/postgres';
import { S3RVER_CREDENTIALS, useLocalS3 } from '../support/s3';

// The task image runs esbuild bundles of the programs (projenrc/construct-assets.ts), not ts-node: these
// tests bundle them the same way and run them as their own processes, with Secrets Manager and CloudWatch
// answered by a small local endpoint that speaks their JSON protocols, and S3 by s3rver.

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
let dir: string;
let aws: { server: Server; endpoint: string; requests: Array<{ target: string; body: Record<string, unknown> }> };
let appUrl: string;

function bundle(name: string, entry: { file: string } | { contents: string }): string {
  const outfile = join(dir, `${name}.js`);
  const input = 'file' in entry ? { entryPoints: [join(ROOT, entry.file)] } : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts' as const } };
  buildSync({ ...input, bundle: true, platform: 'node', target: 'node22', outfile, external: ['pg-native'], logLevel: 'error' });
  return outfile;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-task-bundles-'));
  copyFileSync(join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm'), join(dir, 'libpg-query.wasm'));
  // As the bundle:handlers task does: the package's name and version beside the programs (toolVersion reads them there).
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version }));
  const requests: Array<{ target: string; body: Record<string, unknown> }> = [];
  const { user, password, host, port } = cluster();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      requests.push({ target, body: JSON.parse(body || '{}') as Record<string, unknown> });
      const answer = target === 'secretsmanager.GetSecretValue'
        ? { Name: 'db', SecretString: JSON.stringify({ username: user, password, host, port }) }
        : {};
      res.writeHead(200, { 'Content-Type': target.startsWith('secretsmanager.') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  aws = { server, requests, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  appUrl = (await createSampleDatabases(cluster(), { rows: 20, databases: { app: ['customer_a1'], scratch: [] } })).app;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => aws?.server.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run a bundled program with the environment a task definition gives it; AWS endpoints local. */
async function runBundle(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [file], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      TMPDIR: dir,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
      AWS_ENDPOINT_URL_S3: s3().endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      PGSR_METRICS_NAMESPACE: 'PgSchemaRestore',
      PGSR_BACKUP_SET: 'NightlyTenants',
      PGSR_DATABASE_NAME: 'app',
      PGSR_BACKUP_LOCATION: 's3://backups/tenants/backups/',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [stdout, stderr] = await Promise.all([text(child.stdout), text(child.stderr)]);
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', resolve)));
  return { code, stdout, stderr };
}

/** The metrics of the PutMetricData calls since `from`, by name. */
function metricsSince(from: number): Record<string, number> {
  const calls = aws.requests.slice(from).filter((r) => r.target === 'GraniteServiceVersion20100801.PutMetricData');
  expect(calls).toHaveLength(1);
  expect(calls[0].body.Namespace).toBe('PgSchemaRestore');
  const data = calls[0].body.MetricData as Array<{ MetricName: string; Value: number; Dimensions: unknown }>;
  for (const m of data) expect(m.Dimensions).toEqual([{ Name: 'BackupSet', Value: 'NightlyTenants' }, { Name: 'Database', Value: 'app' }]);
  return Object.fromEntries(data.map((m) => [m.MetricName, m.Value]));
}

test('bundled, backupDatabase still knows its version (the manifest names it) and writes a run to S3', async () => {
  const program = bundle('backup-now', {
    contents: `import { backupDatabase } from './src/backups/backup-database';
      backupDatabase({ source: process.env.URL!, to: 's3://backups/tenants/backups/' }).then((r) => console.log(JSON.stringify(r.manifest.tool)));`,
  });
  const run = await runBundle(program, { URL: appUrl });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  expect(JSON.parse(run.stdout)).toEqual({ name: 'pg-schema-restore', version });
});

test('the bundled backup task reads its secret, insists on verified TLS (no setting turns it off), and still publishes BackupFailed=1', async () => {
  const program = bundle('backup-task', { file: 'src/handlers/backup-task.ts' });
  const from = aws.requests.length;
  const run = await runBundle(program, { PGSR_DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db', PGSR_RETENTION: '{"keepDaily":7}' });
  expect(run.code).toBe(1);
  // The local server has no TLS: a production connection (sslmode=verify-full, the RDS CAs) is refused.
  expect(run.stderr).toMatch(/^backup-task: .*SSL/);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr + run.stdout).not.toContain(cluster().password);
  expect(aws.requests.slice(from).find((r) => r.target === 'secretsmanager.GetSecretValue')?.body)
    .toEqual({ SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' });
  const metrics = metricsSince(from);
  expect(metrics).toMatchObject({ BackupSucceeded: 0, BackupFailed: 1 });
  // The run of the test before is the newest complete one.
  expect(metrics.BackupAge).toBeGreaterThanOrEqual(0);
  expect(metrics.BackupAge).toBeLessThan(120);
});

test('the bundled drill task restores from S3 and keeps its report; the drill database over verified TLS only, so this one fails', async () => {
  const program = bundle('drill-task', { file: 'src/handlers/drill-task.ts' });
  const from = aws.requests.length;
  const run = await runBundle(program, {
    PGSR_DRILL_SECRET_ARN: 'drill', PGSR_DRILL_DATABASE: 'scratch', PGSR_DRILL_LOCATION: 's3://backups/tenants/drills/', PGSR_DRILL_SCHEMAS: '["customer_a1"]',
  });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^drill-task: the drill failed: 1 of 1 tenant\(s\) failed: customer_a1; report: s3:\/\/backups\/tenants\/drills\/app\/[^/]+\.md\n$/);
  expect(metricsSince(from)).toMatchObject({ DrillSucceeded: 0, DrillFailed: 1, DrillTenants: 1 });
  const store = openBackupStore('s3://backups/tenants/drills/app/', { client: s3().client });
  const keys: string[] = [];
  for await (const o of store.list()) keys.push(o.key);
  expect(keys.map((k) => k.replace(/^[^.]+/, ''))).toEqual(expect.arrayContaining(['.json', '.md']));
  const report = JSON.parse(await text(await store.read(keys.find((k) => k.endsWith('.json'))!))) as DrillReport;
  expect(report.tenants[0].problems.join(' ')).toMatch(/SSL/);
  expect(JSON.stringify(report) + run.stdout + run.stderr).not.toContain(cluster().password);
});
