import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DBInstanceNotFoundFault, ModifyDBInstanceCommand, RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { SchemaRestoreError } from '../../src';
import { databaseIdentifierFromHost, findTemporaryRdsDatabase, resetMasterPassword } from '../../src/aws';

const rdsClient = () => new RDSClient({ region: 'eu-west-1' });
const tagged = (restoreId: string) => [{ Key: 'pg-schema-restore:restore-id', Value: restoreId }];

async function failure(promise: Promise<unknown>): Promise<SchemaRestoreError> {
  return promise.then(() => {
    throw new Error('expected a failure');
  }, (err) => err as SchemaRestoreError);
}

describe('databaseIdentifierFromHost', () => {
  test.each([
    ['pgsr-r-1.c9akciq32.eu-west-1.rds.amazonaws.com', { dbInstanceIdentifier: 'pgsr-r-1' }],
    ['pgsr-r-1.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', { dbClusterIdentifier: 'pgsr-r-1' }],
    ['pgsr-r-1.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com', { dbClusterIdentifier: 'pgsr-r-1' }],
    ['pgsr-r-1.c9akciq32.cn-north-1.rds.amazonaws.com.cn', { dbInstanceIdentifier: 'pgsr-r-1' }],
    ['reporting.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com', undefined],
    ['127.0.0.1', undefined],
    ['db.example.com', undefined],
  ])('%s', (host, expected) => {
    expect(databaseIdentifierFromHost(host)).toEqual(expected);
  });
});

describe('findTemporaryRdsDatabase', () => {
  test('a DB instance of this restore', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'pgsr-r-1' }).resolves({ DBInstances: [{ DBInstanceIdentifier: 'pgsr-r-1', MasterUsername: 'postgres', TagList: tagged('r-1') }] });
    expect(await findTemporaryRdsDatabase({ database: { dbInstanceIdentifier: 'pgsr-r-1' }, rds: rdsClient(), restoreId: 'r-1' }))
      .toEqual({ kind: 'instance', identifier: 'pgsr-r-1', masterUsername: 'postgres', managedMasterPassword: false });
  });

  test('a database of another restore is refused', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: 'pgsr-r-2', MasterUsername: 'postgres', TagList: tagged('r-2') }] });
    const err = await failure(findTemporaryRdsDatabase({ database: { dbClusterIdentifier: 'pgsr-r-2' }, rds: rdsClient(), restoreId: 'r-1' }));
    expect(err.code).toBe('RESET_REFUSED');
    expect(err.message).toContain('DB cluster "pgsr-r-2": its pg-schema-restore:restore-id tag is "r-2", not "r-1"');
  });

  test('a missing database and a denied describe', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'DBInstance pgsr-x not found.', $metadata: {} }));
    const missing = await failure(findTemporaryRdsDatabase({ database: { dbInstanceIdentifier: 'pgsr-x' }, rds: rdsClient() }));
    expect(missing.code).toBe('DATABASE_NOT_FOUND');
    expect(missing.message).toBe('DB instance "pgsr-x" does not exist; check the identifier and the AWS region');
    rds.on(DescribeDBInstancesCommand).rejects(new RDSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'not authorized to perform: rds:DescribeDBInstances' }));
    const denied = await failure(findTemporaryRdsDatabase({ database: { dbInstanceIdentifier: 'pgsr-x' }, rds: rdsClient() }));
    expect(denied.message).toBe('access denied when trying to describe DB instance "pgsr-x"; grant rds:DescribeDBInstances to the role running pg-schema-restore');
  });
});

describe('resetMasterPassword', () => {
  test('derives the instance from an RDS endpoint and refuses an untagged one before modifying anything', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'production' }).resolves({ DBInstances: [{ DBInstanceIdentifier: 'production', MasterUsername: 'postgres' }] });
    const err = await failure(resetMasterPassword({ host: 'production.c9akciq32.eu-west-1.rds.amazonaws.com', rds: rdsClient() }));
    expect(err.code).toBe('RESET_REFUSED');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  test('a host that is not an RDS endpoint needs the identifier', async () => {
    mockClient(RDSClient);
    const err = await failure(resetMasterPassword({ host: '127.0.0.1', rds: rdsClient() }));
    expect(err.code).toBe('RESET_TARGET_MISSING');
    expect(err.message).toBe('cannot tell which RDS database "127.0.0.1" is; pass resetMasterPassword: { dbInstanceIdentifier } or { dbClusterIdentifier }');
  });

  test('a refused modification names the permission and not the new password', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'pgsr-r-1', MasterUsername: 'postgres', TagList: tagged('r-1') }] });
    let sent = '';
    rds.on(ModifyDBInstanceCommand).callsFake(async (input: { MasterUserPassword: string }) => {
      sent = input.MasterUserPassword;
      throw new RDSServiceException({ name: 'InvalidParameterValue', $fault: 'client', $metadata: {}, message: `The parameter MasterUserPassword is not a valid password: ${input.MasterUserPassword}` });
    });
    const err = await failure(resetMasterPassword({ host: 'pgsr-r-1.c9akciq32.eu-west-1.rds.amazonaws.com', rds: rdsClient() }));
    expect(err.code).toBe('AWS_CALL_FAILED');
    expect(err.message).toBe('cannot reset the master password of DB instance "pgsr-r-1": InvalidParameterValue: The parameter MasterUserPassword is not a valid password: ***; ' +
      'check the AWS region and credentials, then retry');
    expect(sent).toMatch(/^[A-Za-z0-9]{32}$/);
    expect([err.message, err.stack, String(err.cause), (err.cause as Error).stack].join('\n')).not.toContain(sent);
  });
});
