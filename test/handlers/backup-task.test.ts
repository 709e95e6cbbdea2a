import { EventEmitter } from 'node:events';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { BackupRun, listBackupRuns } from '../../src/backups/backup-catalog';
import { openBackupStore } from '../../src/backups/backup-store';
import { runBackupTask } from '../../src/handlers/backup-task';
import type { ScheduledTaskDeps } from '../../src/handlers/scheduled-task';
import { createSampleDatabases } from '../../src/testing';
import { writeSyntheticRuns } from '../support/backup-runs';
import { useLocalCluster } from '../support/postgres';
import { S3RVER_CREDENTIALS, startS3Proxy, useLocalS3 } from '../support/s3';
import { accessDenied } from '../support/secrets-manager';
import { runTaskProgram, TaskRun } from '../support/task-runs';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const DAY = 86_400_000;

beforeAll(async () => {
  await createSampleDatabases(cluster(), { rows: 30, databases: { app: ['customer_a1', 'customer_a2'] } });
});

/** Secrets Manager with the local cluster's login under `db`, and a wrong password under `wrong`. */
function fakeSecrets(): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  const { user, password, host, port } = cluster();
  mockClient(client).on(GetSecretValueCommand).callsFake(async ({ SecretId }: { SecretId: string }) => ({
    SecretString: JSON.stringify({ username: user, password: SecretId === 'wrong' ? 'not-the-password-Zq9' : password, host, port }),
  }));
  return client;
}

function s3ClientAt(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Run the real entry function against the local cluster and s3rver; captured outputs and PutMetricData. */
async function runTask(prefix: string, env: Record<string, string> = {}, deps: Partial<ScheduledTaskDeps> = {},
  onLine?: (line: string) => void): Promise<TaskRun> {
  return runTaskProgram(runBackupTask, {
    env: {
      PGSR_DATABASE_SECRET_ARN: 'db',
      PGSR_DATABASE_NAME: 'app',
      PGSR_BACKUP_LOCATION: `s3://backups/${prefix}/backups/`,
      PGSR_RETENTION: '{"keepDaily":7}',
      PGSR_METRICS_NAMESPACE: 'PgSchemaRestore',
      PGSR_BACKUP_SET: 'NightlyTenants',
      ...env,
    },
    deps: { secretsManager: fakeSecrets(), s3: s3().client, ...deps },
    onLine,
  });
}

async function runsAt(prefix: string): Promise<BackupRun[]> {
  return listBackupRuns(openBackupStore(`s3://backups/${prefix}/backups/app/`, { client: s3().client }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function expectNoPassword(run: TaskRun): void {
  const { password } = cluster();
  for (const text of [run.stdout, run.stderr, JSON.stringify(run.putMetricData)]) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(encodeURIComponent(password));
    expect(text).not.toContain('not-the-password-Zq9');
  }
}

test('a night: the run is complete in S3, prune removes what the retention says, one PutMetricData with the contract\'s metrics', async () => {
  const now = Date.now();
  // Eight older nights of different sizes: keepDaily 7 keeps tonight's and the six before, so the two oldest go.
  await writeSyntheticRuns('s3://backups/night/backups/', Array.from({ length: 8 }, (_, i) => ({
    at: new Date(now - (i + 1) * DAY).toISOString(), schemas: { customer_a1: 20_000 + 1000 * i },
  })), { client: s3().client });
  const before = await runsAt('night');
  const run = await runTask('night');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);

  const after = await runsAt('night');
  const tonight = after[after.length - 1];
  expect(tonight.complete).toBe(true);
  expect(tonight.takenAt.getTime()).toBeGreaterThanOrEqual(now - 1000);
  expect(tonight.manifest!.schemas.map((s) => s.name)).toEqual(['customer_a1', 'customer_a2', 'public']);
  expect(after.slice(0, -1).map((r) => r.path)).toEqual(before.slice(2).map((r) => r.path));

  expect(run.putMetricData).toHaveLength(1);
  expect(run.putMetricData[0].Namespace).toBe('PgSchemaRestore');
  const m = run.metrics;
  expect(Object.keys(m).sort()).toEqual(['BackupAge', 'BackupBytes', 'BackupDuration', 'BackupFailed', 'BackupSizeRatio', 'BackupSucceeded', 'PrunedRuns']);
  for (const metric of Object.values(m)) {
    expect(metric.Dimensions).toEqual([{ Name: 'BackupSet', Value: 'NightlyTenants' }, { Name: 'Database', Value: 'app' }]);
  }
  expect(m.BackupSucceeded).toMatchObject({ Value: 1, Unit: 'Count' });
  expect(m.BackupFailed).toMatchObject({ Value: 0, Unit: 'Count' });
  expect(m.PrunedRuns).toMatchObject({ Value: 2, Unit: 'Count' });
  expect(m.BackupBytes).toMatchObject({ Value: tonight.manifest!.schemas.reduce((n, s) => n + s.bytes, 0), Unit: 'Bytes' });
  expect(m.BackupDuration.Unit).toBe('Seconds');
  expect(m.BackupDuration.Value).toBeGreaterThan(0);
  expect(m.BackupAge.Unit).toBe('Seconds');
  expect(m.BackupAge.Value).toBeGreaterThanOrEqual(0);
  expect(m.BackupAge.Value).toBeLessThan(m.BackupDuration.Value! + 5);
  // Against the six kept nights before it, as `backup check` sizes runs (every object of the run).
  expect(m.BackupSizeRatio.Unit).toBe('None');
  expect(m.BackupSizeRatio.Value).toBeCloseTo(tonight.bytes / median(after.slice(0, -1).map((r) => r.bytes)), 6);

  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
  expect(lines.some((l) => /^backing up 3 schema\(s\) of app/.test(l.message ?? ''))).toBe(true);
  expect(lines.some((l) => l.message === 'pruned 2 run(s) of app (' + before.slice(0, 2).reduce((n, r) => n + r.bytes, 0) + ' bytes)')).toBe(true);
  expectNoPassword(run);
});

test('SSE-KMS with PGSR_BACKUP_KMS_KEY_ARN on every object; the chosen schemas only; a secret without host uses PGSR_DATABASE_HOST/PORT', async () => {
  const proxy = await startS3Proxy(s3().endpoint);
  const client = s3ClientAt(proxy.endpoint);
  const { user, password, host, port } = cluster();
  const secretsManager = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  mockClient(secretsManager).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: user, password }) });
  const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  let run: TaskRun;
  try {
    run = await runTask('kms', {
      PGSR_BACKUP_KMS_KEY_ARN: key,
      PGSR_BACKUP_SCHEMAS: '["customer_a2"]',
      PGSR_BACKUP_JOBS: '1',
      PGSR_DATABASE_HOST: host,
      PGSR_DATABASE_PORT: String(port),
    }, { s3: client, secretsManager });
  } finally {
    client.destroy();
    await proxy.close();
  }
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const writes = proxy.requests.filter((r) => r.method === 'PUT' && r.url.startsWith('/backups/kms/'));
  expect(writes.map((r) => r.url.split('?')[0].split('/').pop()).sort()).toEqual(['customer_a2.dump', 'manifest.json']);
  for (const write of writes) {
    expect(write.headers).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': key });
  }
  // No run before it: no size ratio, rather than a made-up one.
  expect(run.metrics.BackupSizeRatio).toBeUndefined();
  expect(run.metrics.BackupSucceeded.Value).toBe(1);
  expect(run.metrics.BackupAge.Value).toBeGreaterThanOrEqual(0);
  // The catalog is listed and the manifest read once: the age is computed from the runs prune read.
  const catalogListings = proxy.requests.filter((r) => r.method === 'GET' && new URL(r.url, proxy.endpoint).searchParams.get('prefix') === 'kms/backups/');
  expect(catalogListings).toHaveLength(1);
  expect(proxy.requests.filter((r) => r.method === 'GET' && r.url.split('?')[0].endsWith('/manifest.json'))).toHaveLength(1);
});

test.each([
  ['a missing schema', { PGSR_BACKUP_SCHEMAS: '["customer_a1","no_such_tenant"]' }, /^backup-task: schema "no_such_tenant" does not exist in database app/],
  ['a wrong password', { PGSR_DATABASE_SECRET_ARN: 'wrong' }, /^backup-task: .*password authentication failed/],
])('%s: BackupFailed=1, BackupSucceeded=0, the newest complete run\'s age, one line on stderr, exit 1, no new run', async (_name, env, message) => {
  const prefix = `fail-${_name.replace(/\W/g, '')}`;
  const seeded = new Date(Date.now() - 3 * 3_600_000);
  await writeSyntheticRuns(`s3://backups/${prefix}/backups/`, [{ at: seeded.toISOString() }], { client: s3().client });
  const run = await runTask(prefix, env);
  expect(run.status).toBe(1);
  expect(run.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(message)]);
  expect(Object.keys(run.metrics).sort()).toEqual(['BackupAge', 'BackupFailed', 'BackupSucceeded']);
  expect(run.metrics.BackupFailed.Value).toBe(1);
  expect(run.metrics.BackupSucceeded.Value).toBe(0);
  expect(run.metrics.BackupAge.Value).toBeGreaterThanOrEqual(3 * 3600);
  expect(run.metrics.BackupAge.Value).toBeLessThan(3 * 3600 + 60);
  expect((await runsAt(prefix)).map((r) => r.takenAt)).toEqual([seeded]);
  expectNoPassword(run);
});

test('a role that may not read the secret: one line naming the permission, BackupFailed=1, exit 1', async () => {
  const secretsManager = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  mockClient(secretsManager).on(GetSecretValueCommand).rejects(accessDenied('secretsmanager:GetSecretValue'));
  const run = await runTask('nosecret', {}, { secretsManager });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe('backup-task: access denied when trying to read secret "db"; grant secretsmanager:GetSecretValue ' +
    '(and kms:Decrypt on the secret\'s KMS key) to the role running pg-schema-restore\n');
  expect(run.metrics.BackupFailed.Value).toBe(1);
});

test('S3 refusing the writes: BackupFailed=1, exit 1, no manifest, and no BackupAge when there is no complete run', async () => {
  const proxy = await startS3Proxy(s3().endpoint, (req) => req.method === 'PUT' || req.method === 'POST');
  const client = s3ClientAt(proxy.endpoint);
  let run: TaskRun;
  try {
    run = await runTask('denied', { PGSR_BACKUP_SCHEMAS: '["customer_a1"]' }, { s3: client });
  } finally {
    client.destroy();
    await proxy.close();
  }
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^backup-task: cannot write s3:\/\/backups\/denied\/backups\/app\/[^/]+\/customer_a1\.dump: access denied; allow s3:PutObject/);
  expect(run.metrics).toEqual({ BackupSucceeded: expect.objectContaining({ Value: 0 }), BackupFailed: expect.objectContaining({ Value: 1 }) });
  expect((await runsAt('denied')).filter((r) => r.complete)).toEqual([]);
});

test('SIGTERM mid-backup (ECS stopping the task): the run is removed, BackupFailed=1 is still published, exit 130', async () => {
  const signals = new EventEmitter();
  const run = await runTask('aborted', {}, { signals }, (line) => {
    if (line.includes('"backing up ')) signals.emit('SIGTERM');
  });
  expect(run.status).toBe(130);
  expect(run.stderr).toMatch(/^backup-task: backup aborted; its partial run s3:\/\/backups\/aborted\/backups\/app\/[^/]+\/ was removed\n$/);
  expect(run.metrics.BackupFailed.Value).toBe(1);
  expect(run.metrics.BackupSucceeded.Value).toBe(0);
  expect(await runsAt('aborted')).toEqual([]);
});

test('prune failing after a complete backup: the backup counts (BackupSucceeded=1, no PrunedRuns), stderr says so, exit 1', async () => {
  await writeSyntheticRuns('s3://backups/noprune/backups/', [{ at: new Date(Date.now() - 30 * DAY).toISOString() }], { client: s3().client });
  // DeleteObjects is a POST ?delete; uploads stay allowed.
  const proxy = await startS3Proxy(s3().endpoint, (req) => req.method === 'POST' && /[?&]delete/.test(req.url));
  const client = s3ClientAt(proxy.endpoint);
  let run: TaskRun;
  try {
    run = await runTask('noprune', { PGSR_BACKUP_SCHEMAS: '["customer_a1"]', PGSR_RETENTION: '{"keepLast":1}' }, { s3: client });
  } finally {
    client.destroy();
    await proxy.close();
  }
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^backup-task: the backup s3:\/\/backups\/noprune\/backups\/app\/[^/]+\/ is complete, but pruning old backups failed: .*access denied/i);
  expect(run.metrics.BackupSucceeded.Value).toBe(1);
  expect(run.metrics.BackupFailed.Value).toBe(0);
  expect(run.metrics.PrunedRuns).toBeUndefined();
  expect((await runsAt('noprune')).map((r) => r.complete)).toEqual([true, true]);
});

test('a retention policy that keeps nothing is refused before any backup: exit 1, BackupFailed=1', async () => {
  const run = await runTask('badpolicy', { PGSR_RETENTION: '{"keepDaily":0}' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^backup-task: a retention policy needs at least one keep count above 0/);
  expect(run.metrics.BackupFailed.Value).toBe(1);
  expect(await runsAt('badpolicy')).toEqual([]);
});

test('without the metric settings nothing can be published: one line naming the variable, exit 1', async () => {
  const run = await runTask('nometrics', { PGSR_BACKUP_SET: '' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^backup-task: the environment variable PGSR_BACKUP_SET is not set/);
  expect(run.putMetricData).toEqual([]);
});
