import { DescribeDBClustersCommand, DescribeDBInstancesCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SchemaRestoreError } from '../../src';
import { checkCredentials, Ledger, memoryLedgerStore, rdsConnectionConfig, resolveHistoricalSecret, ResolveHistoricalSecretOptions } from '../../src/aws';
import { freePort } from '../../src/local';
import { execSql, useLocalCluster } from '../support/postgres';
import { errorTexts, mockSecretVersions } from '../support/secrets-manager';

const SECRET = 'prod/tenant-db';
const T = new Date('2024-01-28T14:30:00Z');
const SUPERUSER_PASSWORD = 'pw-super-Hq81';
const PASSWORDS = { pending: 'pw-pending-Zt4', current: 'pw-current-Lm2', atT: 'pw-at-T-Wq7', january: 'pw-january-Rv5', original: 'pw-original-Jd3' };
const login = (password: string) => ({ engine: 'postgres', host: 'prod.abc.eu-west-1.rds.amazonaws.com', port: 5432, username: 'app_owner', password, dbname: 'tenant_a' });

/** A secret rotated several times: a rotation in progress, the current version (after T), one created exactly at T, deprecated ones. */
const VERSIONS = [
  { id: 'v6-pending', created: '2024-02-02T00:00:00Z', stages: ['AWSPENDING'], value: login(PASSWORDS.pending) },
  { id: 'v5-current', created: '2024-02-01T00:00:00Z', stages: ['AWSCURRENT'], value: login(PASSWORDS.current) },
  { id: 'v4-at-t', created: T.toISOString(), stages: ['AWSPREVIOUS'], value: login(PASSWORDS.atT) },
  { id: 'v2-deprecated', created: '2024-01-01T00:00:00Z', stages: [], value: login(PASSWORDS.january) },
  { id: 'v1-original', created: '2023-11-01T00:00:00Z', stages: [], value: login(PASSWORDS.original) },
];
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore/abc-XyZ123';

const cluster = useLocalCluster({ password: SUPERUSER_PASSWORD });
const setServerPassword = (password: string) => execSql(cluster().url('postgres'), `ALTER ROLE app_owner PASSWORD '${password.replace(/'/g, "''")}'`);

beforeAll(async () => {
  await execSql(cluster().url('postgres'), 'CREATE ROLE app_owner LOGIN');
  await execSql(cluster().url('postgres'), 'CREATE DATABASE tenant_a OWNER app_owner');
});

// The restored database has the password of January: the version created at T never took effect there.
beforeEach(() => setServerPassword(PASSWORDS.january));

function setup(overrides: Partial<ResolveHistoricalSecretOptions> = {}) {
  const secrets = mockSecretVersions(SECRET, VERSIONS, 2);
  secrets.mock.on(CreateSecretCommand).resolves({ ARN, Name: 'pg-schema-restore/abc' });
  const rds = mockClient(RDSClient);
  const store = memoryLedgerStore();
  const options: ResolveHistoricalSecretOptions = {
    secretId: SECRET,
    at: T,
    host: cluster().host,
    port: cluster().port,
    verify: true,
    tls: false,
    clients: { secretsManager: secrets.client, rds: new RDSClient({ region: 'eu-west-1' }) },
    ledger: new Ledger(store, 'r-1'),
    sleep: () => new Promise((resolve) => setTimeout(resolve, 20)),
    ...overrides,
  };
  const versionsRead = () => secrets.mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.VersionId);
  return { secrets, rds, store, options, versionsRead };
}

async function failure(promise: Promise<unknown>): Promise<SchemaRestoreError> {
  return promise.then(() => {
    throw new Error('expected a failure');
  }, (err) => err as SchemaRestoreError);
}

function expectNoPassword(err: unknown, extra: string[] = []): void {
  const texts = errorTexts(err);
  for (const password of [...Object.values(PASSWORDS), SUPERUSER_PASSWORD, ...extra]) expect(texts).not.toContain(password);
}

describe('resolveHistoricalSecret', () => {
  test('without verify: the version current at T, read alone, no temporary secret without a host', async () => {
    const { options, versionsRead, secrets } = setup({ verify: false, host: undefined });
    expect(await resolveHistoricalSecret(options)).toEqual({ versionId: 'v4-at-t', credentials: { username: 'app_owner', password: PASSWORDS.atT } });
    expect(versionsRead()).toEqual(['v4-at-t']);
    expect(secrets.mock.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  test('verify: the newest candidate is refused by the server, the older one logs in and goes into a temporary secret', async () => {
    const { options, versionsRead, secrets, store } = setup();
    const result = await resolveHistoricalSecret(options);
    expect(result).toEqual({ versionId: 'v2-deprecated', credentials: { username: 'app_owner', password: PASSWORDS.january }, temporarySecretArn: ARN });
    expect(versionsRead()).toEqual(['v4-at-t', 'v2-deprecated']);
    const created = secrets.mock.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(JSON.parse(created.SecretString as string)).toEqual(
      { engine: 'postgres', host: cluster().host, port: cluster().port, username: 'app_owner', password: PASSWORDS.january, dbname: 'tenant_a' });
    expect(created.Tags).toContainEqual({ Key: 'pg-schema-restore:restore-id', Value: 'r-1' });
    expect(store.entries.map((e) => [e.kind, e.id])).toEqual([['secret', ARN]]);
  });

  test('every version refused and no reset: one line counting the versions tried, no password anywhere', async () => {
    await setServerPassword('pw-set-by-hand-Qe9');
    const { options, versionsRead, secrets } = setup();
    const err = await failure(resolveHistoricalSecret(options));
    expect(err.code).toBe('CREDENTIALS_REJECTED');
    expect(err.message).toBe(`${cluster().host} refused the login of all 3 versions of secret "${SECRET}" created on or before 2024-01-28T14:30:00.000Z ` +
      '(its password then was set outside Secrets Manager); pass resetMasterPassword to set a new one on the temporary database');
    expect(versionsRead()).toEqual(['v4-at-t', 'v2-deprecated', 'v1-original']);
    expect(secrets.mock.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expectNoPassword(err, ['pw-set-by-hand-Qe9']);
  });

  test('every version refused: the temporary DB instance gets a new master password, applied later, and it is returned', async () => {
    await setServerPassword('pw-set-by-hand-Qe9');
    const { options, rds } = setup({ resetMasterPassword: { dbInstanceIdentifier: 'pgsr-r-1' } });
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{
        DBInstanceIdentifier: 'pgsr-r-1',
        DBInstanceStatus: 'available',
        MasterUsername: 'app_owner',
        TagList: [{ Key: 'pg-schema-restore:restore-id', Value: 'r-1' }, { Key: 'pg-schema-restore:expires-at', Value: '2024-01-28T21:00:00.000Z' }],
      }],
    });
    let applied: Promise<void> | undefined;
    // RDS applies the new password asynchronously: the first logins still fail.
    rds.on(ModifyDBInstanceCommand).callsFake(async (input: { MasterUserPassword: string }) => {
      applied = new Promise((resolve) => setTimeout(resolve, 300)).then(() => setServerPassword(input.MasterUserPassword));
      return { DBInstance: { DBInstanceIdentifier: 'pgsr-r-1', DBInstanceStatus: 'resetting-master-credentials' } };
    });
    const result = await resolveHistoricalSecret(options);
    await applied;
    const modify = rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input;
    expect(modify).toEqual({ DBInstanceIdentifier: 'pgsr-r-1', MasterUserPassword: result.credentials.password, ApplyImmediately: true });
    expect(result.versionId).toBe('reset');
    expect(result.credentials.username).toBe('app_owner');
    expect(result.credentials.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(result.temporarySecretArn).toBe(ARN);
    const config = rdsConnectionConfig({ host: cluster().host, port: cluster().port, database: 'tenant_a', credentials: result.credentials, tls: false });
    expect(await checkCredentials(config)).toBe('accepted');
  });

  test('reset of an Aurora cluster with an RDS-managed password turns the management off', async () => {
    await setServerPassword('pw-set-by-hand-Qe9');
    const { options, rds } = setup({ resetMasterPassword: { dbClusterIdentifier: 'pgsr-r-1' } });
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{
        DBClusterIdentifier: 'pgsr-r-1',
        MasterUsername: 'app_owner',
        MasterUserSecret: { SecretArn: 'arn:aws:secretsmanager:…:rds!cluster-1' },
        TagList: [{ Key: 'pg-schema-restore:restore-id', Value: 'r-1' }],
      }],
    });
    rds.on(ModifyDBClusterCommand).callsFake(async (input: { MasterUserPassword: string }) => {
      await setServerPassword(input.MasterUserPassword);
      return {};
    });
    const result = await resolveHistoricalSecret(options);
    expect(rds.commandCalls(ModifyDBClusterCommand)[0].args[0].input).toEqual(
      { DBClusterIdentifier: 'pgsr-r-1', MasterUserPassword: result.credentials.password, ApplyImmediately: true, ManageMasterUserPassword: false });
  });

  test('a database without the restore tag is never reset', async () => {
    await setServerPassword('pw-set-by-hand-Qe9');
    const { options, rds } = setup({ resetMasterPassword: { dbInstanceIdentifier: 'production-db' } });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'production-db', MasterUsername: 'app_owner', TagList: [{ Key: 'team', Value: 'billing' }] }] });
    const err = await failure(resolveHistoricalSecret(options));
    expect(err.code).toBe('RESET_REFUSED');
    expect(err.message).toBe('refusing to reset the master password of DB instance "production-db": it has no pg-schema-restore:restore-id tag, ' +
      'so it is not a temporary database of this restore; reset passwords only on databases pg-schema-restore created');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  test('a password that is never applied: CREDENTIALS_TIMEOUT at the deadline', async () => {
    await setServerPassword('pw-set-by-hand-Qe9');
    let clock = Date.parse('2024-03-01T00:00:00Z');
    const { options, rds } = setup({
      resetMasterPassword: { dbInstanceIdentifier: 'pgsr-r-1' },
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
      },
    });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'pgsr-r-1', MasterUsername: 'app_owner', TagList: [{ Key: 'pg-schema-restore:restore-id', Value: 'r-1' }] }] });
    let newPassword = '';
    rds.on(ModifyDBInstanceCommand).callsFake(async (input: { MasterUserPassword: string }) => {
      newPassword = input.MasterUserPassword;
      return {};
    });
    const err = await failure(resolveHistoricalSecret(options));
    expect(err.code).toBe('CREDENTIALS_TIMEOUT');
    expect(err.message).toBe('the new master password of DB instance "pgsr-r-1" was not accepted within 10 min 00 s; check the database\'s status in the RDS console and retry');
    expectNoPassword(err, [newPassword]);
  });

  test('a server that cannot be reached fails at once, without trying older versions', async () => {
    const { options, versionsRead } = setup({ port: await freePort() });
    const err = await failure(resolveHistoricalSecret(options));
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.message).toMatch(/^cannot connect to the temporary database postgres:\/\/app_owner@127\.0\.0\.1:\d+\/tenant_a: .*ECONNREFUSED/);
    expect(versionsRead()).toEqual(['v4-at-t']);
    expectNoPassword(err);
  });

  test('a restore time before the oldest version: SECRET_TOO_NEW', async () => {
    const { options } = setup({ at: new Date('2023-06-01T00:00:00Z') });
    const err = await failure(resolveHistoricalSecret(options));
    expect(err.code).toBe('SECRET_TOO_NEW');
    expect(err.message).toContain('(oldest is from 2023-11-01T00:00:00.000Z)');
  });

  test('an unknown secret: SECRET_NOT_FOUND', async () => {
    const { options } = setup({ secretId: 'prod/other' });
    expect((await failure(resolveHistoricalSecret(options))).code).toBe('SECRET_NOT_FOUND');
  });

  test('bad combinations of options are refused before any call', async () => {
    const { options, secrets } = setup();
    expect((await failure(resolveHistoricalSecret({ ...options, host: undefined }))).code).toBe('HOST_REQUIRED');
    expect((await failure(resolveHistoricalSecret({ ...options, verify: false, resetMasterPassword: true }))).code).toBe('VERIFY_REQUIRED');
    expect((await failure(resolveHistoricalSecret({ ...options, at: new Date('nonsense') }))).code).toBe('INVALID_TIME');
    expect(secrets.listRequests).toHaveLength(0);
  });
});
