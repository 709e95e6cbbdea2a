import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '../../src/errors';
import { runRestoreTask } from '../../src/handlers/restore-task';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
// The task writes the RDS CA bundle here; in a directory of its own so that nothing is left in the temp dir.
const caDir = mkdtempSync(join(tmpdir(), 'pgsr-test-ca-'));
const caFile = join(caDir, 'rds-ca.pem');
afterAll(() => rmSync(caDir, { recursive: true, force: true }));

function fakeSecrets() {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  mockClient(client).on(GetSecretValueCommand).callsFake(async ({ SecretId }) => ({
    SecretString: JSON.stringify(SecretId === 'temporary'
      ? { username: 'postgres', password: 'p@ss/1', host: 'pgsr-r-1.rds', port: 5432 }
      : { username: 'app', password: 'live' }),
  }));
  return client;
}

describe('restore task entry point', () => {
  test('runs the CLI on URLs built from the two secrets and keeps its report', async () => {
    const s3 = new S3Client({ region: 'eu-west-1', credentials });
    const s3Mock = mockClient(s3);
    s3Mock.on(PutObjectCommand).resolves({});
    const runCli = jest.fn(async (_args: string[], _env: Record<string, string>) => ({ status: 0, stdout: '{"schemas":[]}' }));
    const status = await runRestoreTask({
      secretsManager: fakeSecrets(),
      s3,
      runCli,
      caFile,
      env: {
        PGSR_RESTORE_ID: 'r-1',
        PGSR_SOURCE_SECRET_ARN: 'temporary',
        PGSR_TARGET_SECRET_ARN: 'live',
        PGSR_TARGET_HOST: 'live.rds',
        PGSR_TARGET_PORT: '5432',
        PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1', 'customer_b2'], suffix: '_old', engine: 'copy' }),
        PGSR_SCHEMAS: JSON.stringify(['customer_a1', 'customer_b2']),
        PGSR_ARTIFACT_BUCKET: 'artifacts',
      },
    });
    expect(status).toBe(0);
    const tls = `sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;
    // The passwords travel in the CLI's environment, never in its arguments (visible in ps).
    expect(runCli).toHaveBeenCalledWith(['restore', '--schema', 'customer_a1', '--schema', 'customer_b2', '--json', '--suffix', '_old'], {
      PGSR_SOURCE: `postgres://postgres:p%40ss%2F1@pgsr-r-1.rds:5432/tenants?${tls}`,
      PGSR_TARGET: `postgres://app:live@live.rds:5432/tenants?${tls}`,
    });
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'artifacts', Key: 'r-1/customer_a1+customer_b2.report.json' });
  });

  test('the DMS engine: one schema per task, with the construct\'s DMS settings', async () => {
    const runCli = jest.fn(async (_args: string[], _env: Record<string, string>) => ({ status: 0, stdout: '' }));
    await runRestoreTask({
      secretsManager: fakeSecrets(),
      runCli,
      caFile,
      env: {
        PGSR_RESTORE_ID: 'r-2',
        PGSR_SOURCE_SECRET_ARN: 'temporary',
        PGSR_TARGET_SECRET_ARN: 'live',
        PGSR_TARGET_HOST: 'live.rds',
        PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['a', 'b'], engine: 'dms' }),
        PGSR_SCHEMAS: '["b"]',
        PGSR_DMS_SUBNET_GROUP: 'dms-subnets',
        PGSR_DMS_ROLE_ARN: 'arn:role',
        PGSR_DMS_SECURITY_GROUP: 'sg-dms',
      },
    });
    expect(runCli.mock.calls[0]).toEqual([expect.arrayContaining(['--schema', 'b', '--engine', 'dms', '--dms-subnet-group', 'dms-subnets',
      '--dms-role', 'arn:role', '--dms-target-secret', 'live', '--dms-source-secret', 'temporary', '--dms-security-group', 'sg-dms']), expect.anything()]);
    expect(runCli.mock.calls[0]).not.toContainEqual(expect.arrayContaining(['--schema', 'a']));
  });

  test('a target secret without a host, and none configured, is refused with a code before the CLI runs', async () => {
    const runCli = jest.fn(async (_args: string[], _env: Record<string, string>) => ({ status: 0, stdout: '' }));
    const run = runRestoreTask({
      secretsManager: fakeSecrets(),
      runCli,
      caFile,
      env: {
        PGSR_RESTORE_ID: 'r-3',
        PGSR_SOURCE_SECRET_ARN: 'temporary',
        PGSR_TARGET_SECRET_ARN: 'live',
        PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['a'], engine: 'copy' }),
        PGSR_SCHEMAS: '["a"]',
      },
    });
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(run).rejects.toMatchObject({ code: 'SECRET_MALFORMED', message: expect.stringMatching(/secret "live" has no host.*add "host" to the secret/) });
    expect(runCli).not.toHaveBeenCalled();
  });

  test('"source": "backup": --source is the database\'s folder of the backups, --at the restore time; only the target URL in the environment', async () => {
    const runCli = jest.fn(async (_args: string[], _env: Record<string, string>) => ({ status: 0, stdout: '' }));
    const secretsManager = fakeSecrets();
    const send = jest.spyOn(secretsManager, 'send');
    const env = {
      PGSR_RESTORE_ID: 'r-4',
      PGSR_TARGET_SECRET_ARN: 'live',
      PGSR_TARGET_HOST: 'live.rds',
      PGSR_BACKUP_LOCATION: 's3://tenant-backups/team-a/backups/',
      PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', suffix: '_bak', engine: 'copy', source: 'backup' }),
      PGSR_SCHEMAS: '["customer_a1"]',
    };
    await runRestoreTask({ secretsManager, runCli, caFile, env });
    expect(runCli).toHaveBeenCalledWith(
      ['restore', '--source', 's3://tenant-backups/team-a/backups/tenants/', '--at', '2024-01-28T14:30:00.000Z', '--schema', 'customer_a1', '--json', '--suffix', '_bak'],
      { PGSR_TARGET: `postgres://app:live@live.rds:5432/tenants?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}` },
    );
    // No temporary database: the live secret is the only one read.
    expect(send.mock.calls.map(([command]) => (command.input as { SecretId?: string }).SecretId)).toEqual(['live']);

    // Without a restore time: the newest backup, no --at.
    await runRestoreTask({ secretsManager, runCli, caFile, env: { ...env, PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1'], engine: 'copy', source: 'backup' }) } });
    expect(runCli.mock.calls[1][0]).toEqual(['restore', '--source', 's3://tenant-backups/team-a/backups/tenants/', '--schema', 'customer_a1', '--json']);
  });

  test('"source": "backup" on a task definition without PGSR_BACKUP_LOCATION says so before the CLI runs', async () => {
    const runCli = jest.fn(async (_args: string[], _env: Record<string, string>) => ({ status: 0, stdout: '' }));
    const run = runRestoreTask({
      secretsManager: fakeSecrets(),
      runCli,
      caFile,
      env: { PGSR_RESTORE_ID: 'r-5', PGSR_TARGET_SECRET_ARN: 'live', PGSR_TARGET_HOST: 'live.rds', PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['a'], engine: 'copy', source: 'backup' }) },
    });
    await expect(run).rejects.toMatchObject({ code: 'HANDLER_MISCONFIGURED', message: expect.stringContaining('PGSR_BACKUP_LOCATION is not set') });
    expect(runCli).not.toHaveBeenCalled();
  });
});
