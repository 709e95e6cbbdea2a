import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { RunCli, runRestoreTask } from '../../src/handlers/restore-task';
import { createSampleDatabases } from '../../src/testing';
import { startCli } from '../support/cli-process';
import { execSql, schemaDigests, useLocalCluster, withClient } from '../support/postgres';
import { S3RVER_CREDENTIALS, useLocalS3 } from '../support/s3';

// The restore task of a SchemaRestore deployed with TenantBackups, end to end: a backup in an S3 server,
// the task's entry point, the real CLI as its own process, a real PostgreSQL as the live database.
const cluster = useLocalCluster();
const s3 = useLocalS3(['tenant-backups', 'artifacts']);
const BACKUPS = 's3://tenant-backups/team-a/backups/';
const caDir = mkdtempSync(join(tmpdir(), 'pgsr-test-ca-'));
afterAll(() => rmSync(caDir, { recursive: true, force: true }));

let url: string;
let backup: BackupResult;
let atBackup: Record<string, { rows: number; md5: string }>;

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 30, databases: { tenants: ['customer_a1', 'customer_a2'] } })).tenants;
  // What TenantBackups' nightly task writes: `backup --to s3://<bucket>/<prefix>backups/`.
  backup = await backupDatabase({ source: url, to: BACKUPS, s3: { client: s3().client } });
  atBackup = await schemaDigests(url, 'customer_a1');
  // The incident the restore is for.
  await execSql(url, 'DELETE FROM customer_a1.order_items; DELETE FROM customer_a1.orders');
}, 180_000);

/** The live database's secret, as RDS keeps it: the local server's login. */
function liveSecret(): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const { user, password, port } = cluster();
  mockClient(client).on(GetSecretValueCommand, { SecretId: 'live' }).resolves({ SecretString: JSON.stringify({ username: user, password, host: '127.0.0.1', port }) });
  return client;
}

/** One run of the CLI: what the task gave it, and everything it printed. */
interface CliCall {
  readonly args: string[];
  readonly env: Record<string, string>;
  output?: string;
}

/**
 * The task container's `node pg-schema-restore.js …`: the real CLI as a process, with the task's
 * environment (the standard AWS variables pointing the SDK at the S3 server). The only change: the
 * task pins TLS to the RDS certificate authorities, which a local server cannot present, so the
 * target URL's TLS settings become `sslmode=disable`.
 */
const realCli = (calls: CliCall[]): RunCli => async (args, env) => {
  const call: CliCall = { args, env };
  calls.push(call);
  const target = env.PGSR_TARGET.replace(/sslmode=verify-full&sslrootcert=[^&]*/, 'sslmode=disable');
  const cli = startCli(args, {
    env: {
      PGSR_TARGET: target,
      AWS_ENDPOINT_URL_S3: s3().endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
  });
  let stdout = '';
  cli.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const { code } = await cli.exited;
  call.output = cli.output();
  return { status: code ?? 1, stdout };
};

/** Run the restore task on `request` ("source": "backup") with the real CLI, recording its calls. */
async function runBackupRestore(restoreId: string, request: Record<string, unknown>, env: Record<string, string> = {}):
Promise<{ status: number; calls: CliCall[] }> {
  const calls: CliCall[] = [];
  const status = await runRestoreTask({
    secretsManager: liveSecret(),
    s3: s3().client,
    runCli: realCli(calls),
    caFile: join(caDir, 'rds-ca.pem'),
    env: {
      PGSR_RESTORE_ID: restoreId,
      PGSR_TARGET_SECRET_ARN: 'live',
      PGSR_BACKUP_LOCATION: BACKUPS,
      PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1'], engine: 'copy', source: 'backup', ...request }),
      ...env,
    },
  });
  return { status, calls };
}

test('"source": "backup": the task restores the newest backup from S3 into the live database, and its report lands in the artifact bucket', async () => {
  const { status, calls } = await runBackupRestore('r-backup-1', { suffix: '_from_backup' }, { PGSR_ARTIFACT_BUCKET: 'artifacts', PGSR_SCHEMAS: '["customer_a1"]' });
  expect({ status, output: status === 0 ? '' : calls[0]?.output }).toEqual({ status: 0, output: '' });
  expect(calls).toHaveLength(1);
  expect(calls[0].args).toEqual(['restore', '--source', `${BACKUPS}tenants/`, '--schema', 'customer_a1', '--json', '--suffix', '_from_backup']);
  // No source secret and no source URL: the backup is the source.
  expect(Object.keys(calls[0].env)).toEqual(['PGSR_TARGET']);

  expect(await schemaDigests(url, 'customer_a1_from_backup')).toEqual(atBackup);
  expect(atBackup.orders.rows).toBeGreaterThan(0);
  expect((await schemaDigests(url, 'customer_a1')).orders.rows).toBe(0);

  const stored = await s3().client.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'r-backup-1/customer_a1.report.json' }));
  const report = JSON.parse(await stored.Body!.transformToString());
  expect(report.restorePoint).toBe(backup.manifest.snapshotAt);
  expect(report.schemas).toEqual([expect.objectContaining({ source: 'customer_a1', restored: 'customer_a1_from_backup' })]);
}, 300_000);

test('a restore time before the first backup: the CLI fails with its reason, the task returns its exit status', async () => {
  const { status, calls } = await runBackupRestore('r-backup-2', { restoreTime: '2020-01-01T00:00:00.000Z' });
  expect(calls[0].args).toEqual(expect.arrayContaining(['--at', '2020-01-01T00:00:00.000Z']));
  expect(status).toBe(1);
  expect(calls[0].output).toContain(`no backup under ${BACKUPS}tenants/ at or before 2020-01-01T00:00:00.000Z; the oldest is from ${backup.manifest.snapshotAt}`);
  const schemas = await withClient(url, async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'customer_a1%' OR nspname LIKE 'pgsr%' ORDER BY 1")).rows);
  expect(schemas.map((r) => r.nspname)).toEqual(['customer_a1', 'customer_a1_from_backup']);
}, 300_000);
