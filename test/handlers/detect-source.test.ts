import { detectSourceHandler } from '../../src/handlers/detect-source.lambda';
import { fakeRds, SOURCE_CLUSTER, SOURCE_INSTANCE, SOURCE_WRITER } from '../support/rds';

const env = { SOURCE_ID: 'prod-db', SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-db', SUBNET_GROUP_NAME: 'restore-subnets', TEMPORARY_SECURITY_GROUP_IDS: 'sg-temp' };

describe('detect-source handler', () => {
  test('an instance restored to a time: validated, in the construct\'s subnet group and security group', async () => {
    const rds = fakeRds({ instances: [SOURCE_INSTANCE] });
    const result = await detectSourceHandler({ rds: rds.client, env })({
      restoreId: 'r-1', request: { database: 'tenants', schemas: ['a'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'rds' },
    });
    expect(result).toMatchObject({ sourceType: 'instance', restorePoint: '2024-01-28T14:30:00.000Z', plan: { sourceId: 'prod-db', subnetGroup: 'restore-subnets', securityGroupIds: ['sg-temp'] } });
    expect(rds.created).toEqual([]);
  });

  test('a cluster snapshot of another cluster is refused before anything is created', async () => {
    const rds = fakeRds({
      instances: [SOURCE_WRITER],
      clusters: [SOURCE_CLUSTER],
      clusterSnapshots: [{ DBClusterSnapshotIdentifier: 'snap-1', DBClusterIdentifier: 'other', Status: 'available' }],
    });
    await expect(detectSourceHandler({ rds: rds.client, env: { ...env, SOURCE_ID: 'prod-aurora' } })({
      restoreId: 'r-2', request: { database: 'tenants', schemas: ['a'], snapshotId: 'snap-1', engine: 'copy', source: 'rds' },
    })).rejects.toThrow(/was taken of "other", not of "prod-aurora"/);
    expect(rds.created).toEqual([]);
  });
});
