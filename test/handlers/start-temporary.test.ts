import { detectSourceHandler } from '../../src/handlers/detect-source.lambda';
import { OWNER_TAG, startTemporaryHandler } from '../../src/handlers/start-temporary.lambda';
import { fakeAuditTable } from '../support/dynamodb';
import { fakeRds, NOW, SOURCE_CLUSTER, SOURCE_INSTANCE, SOURCE_WRITER } from '../support/rds';

const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod';

async function planOf(rds: ReturnType<typeof fakeRds>, sourceId: string, restorePoint: { restoreTime?: string; snapshotId?: string }) {
  const detected = await detectSourceHandler({ rds: rds.client, env: { SOURCE_ID: sourceId, SECRET_ARN: secret } })({
    restoreId: 'r-1', request: { database: 'tenants', schemas: ['a'], engine: 'copy', source: 'rds', ...restorePoint },
  });
  // As the state machine hands it over: dates become ISO strings.
  return JSON.parse(JSON.stringify(detected.plan));
}

describe('start-temporary handler', () => {
  test('restores an instance to a time, tagged with the restore id and the owner, and records it in the audit record', async () => {
    const rds = fakeRds({ instances: [SOURCE_INSTANCE] });
    const table = fakeAuditTable();
    const handler = startTemporaryHandler({ rds: rds.client, dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName, OWNER: 'Stack-Restore' }, now: () => NOW });
    const plan = await planOf(rds, 'prod-db', { restoreTime: '2024-01-28T14:30:00.000Z' });
    await expect(handler({ restoreId: 'r-1', plan, step: 'restore' })).resolves.toEqual({ kind: 'rds-instance', id: 'pgsr-r-1' });
    expect(rds.createInputs[0]).toMatchObject({
      SourceDBInstanceIdentifier: 'prod-db',
      TargetDBInstanceIdentifier: 'pgsr-r-1',
      RestoreTime: new Date('2024-01-28T14:30:00Z'),
      PubliclyAccessible: false,
      Tags: expect.arrayContaining([{ Key: 'pg-schema-restore:restore-id', Value: 'r-1' }, { Key: OWNER_TAG, Value: 'Stack-Restore' }]),
    });
    expect(JSON.parse(table.items.get('r-1')!.resources as string)).toEqual([expect.objectContaining({ kind: 'rds-instance', id: 'pgsr-r-1', restoreId: 'r-1' })]);
  });

  test('restores a cluster from its snapshot, then adds its instance', async () => {
    const rds = fakeRds({
      instances: [SOURCE_WRITER],
      clusters: [SOURCE_CLUSTER],
      clusterSnapshots: [{ DBClusterSnapshotIdentifier: 'snap-1', DBClusterIdentifier: 'prod-aurora', Status: 'available', Engine: 'aurora-postgresql', SnapshotCreateTime: NOW }],
    });
    const table = fakeAuditTable();
    const handler = startTemporaryHandler({ rds: rds.client, dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName } });
    const plan = await planOf(rds, 'prod-aurora', { snapshotId: 'snap-1' });
    await expect(handler({ restoreId: 'r-2', plan, step: 'restore' })).resolves.toEqual({ kind: 'rds-cluster', id: 'pgsr-r-2' });
    await expect(handler({ restoreId: 'r-2', plan, step: 'cluster-instance' })).resolves.toEqual({ kind: 'rds-instance', id: 'pgsr-r-2-1' });
    expect(rds.createInputs[0]).toMatchObject({ DBClusterIdentifier: 'pgsr-r-2', SnapshotIdentifier: 'snap-1', Engine: 'aurora-postgresql' });
    expect(rds.createInputs[1]).toMatchObject({ DBInstanceIdentifier: 'pgsr-r-2-1', DBClusterIdentifier: 'pgsr-r-2' });
    expect(JSON.parse(table.items.get('r-2')!.resources as string).map((e: { id: string }) => e.id)).toEqual(['pgsr-r-2', 'pgsr-r-2-1']);
  });
});
