import {
  CreateEndpointCommand, CreateReplicationInstanceCommand, CreateReplicationTaskCommand, InvalidResourceStateFault, StartReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { deleteDmsResource, manualDmsDelete } from '../../../src/aws';
import { FAST_DMS_WAIT, fakeDms, FakeDms } from '../../support/dms';

async function createAll(dms: FakeDms): Promise<{ instance: string; endpoint: string; task: string }> {
  const instance = (await dms.client.send(new CreateReplicationInstanceCommand({ ReplicationInstanceIdentifier: 'pgsr-r1', ReplicationInstanceClass: 'dms.t3.medium' })))
    .ReplicationInstance!.ReplicationInstanceArn!;
  const endpoint = (await dms.client.send(new CreateEndpointCommand({ EndpointIdentifier: 'pgsr-r1-source', EndpointType: 'source', EngineName: 'postgres' })))
    .Endpoint!.EndpointArn!;
  const task = (await dms.client.send(new CreateReplicationTaskCommand({
    ReplicationTaskIdentifier: 'pgsr-r1-0',
    ReplicationInstanceArn: instance,
    SourceEndpointArn: endpoint,
    TargetEndpointArn: endpoint,
    MigrationType: 'full-load',
    TableMappings: '{"rules":[]}',
    ReplicationTaskSettings: '{}',
  }))).ReplicationTask!.ReplicationTaskArn!;
  return { instance, endpoint, task };
}

const opts = (dms: FakeDms) => ({ clients: { dms: dms.client }, wait: FAST_DMS_WAIT });

test('each kind is deleted and waited for; deleting again is "gone", not an error', async () => {
  const dms = fakeDms();
  const { instance, endpoint, task } = await createAll(dms);
  expect(await deleteDmsResource('dms-task', task, opts(dms))).toBe('deleted');
  expect(await deleteDmsResource('dms-endpoint', endpoint, opts(dms))).toBe('deleted');
  expect(await deleteDmsResource('dms-replication-instance', instance, opts(dms))).toBe('deleted');
  expect(dms.sent).toEqual(expect.arrayContaining(['DeleteReplicationTask', 'DeleteEndpoint', 'DeleteReplicationInstance']));
  // the deletions were waited for: each resource was described until DMS answered ResourceNotFoundFault
  expect(dms.sent.filter((s) => s === 'DescribeEndpoints').length).toBeGreaterThanOrEqual(2);
  for (const [kind, arn] of [['dms-task', task], ['dms-endpoint', endpoint], ['dms-replication-instance', instance]] as const) {
    expect(await deleteDmsResource(kind, arn, opts(dms))).toBe('gone');
  }
  expect(await deleteDmsResource('dms-task', 'arn:aws:dms:eu-west-1:123456789012:task:NEVER', opts(dms))).toBe('gone');
});

test('a running task is stopped before it is deleted', async () => {
  const dms = fakeDms({ load: () => ({ statistics: [] }) });
  const { task } = await createAll(dms);
  await dms.client.send(new StartReplicationTaskCommand({ ReplicationTaskArn: task, StartReplicationTaskType: 'start-replication' }));
  dms.resources.get(task)!.statuses = ['running'];
  expect(await deleteDmsResource('dms-task', task, opts(dms))).toBe('deleted');
  const sent = dms.sent.filter((s) => s === 'StopReplicationTask' || s === 'DeleteReplicationTask');
  expect(sent).toEqual(['StopReplicationTask', 'DeleteReplicationTask']);
});

test('an instance still being created is deleted once DMS accepts it', async () => {
  const dms = fakeDms({ failOn: { command: 'DeleteReplicationInstance', nth: 1, error: new InvalidResourceStateFault({ message: 'instance is creating', $metadata: {} }) } });
  const { instance } = await createAll(dms);
  expect(await deleteDmsResource('dms-replication-instance', instance, opts(dms))).toBe('deleted');
  expect(dms.sent.filter((s) => s === 'DeleteReplicationInstance')).toHaveLength(2);
});

test('manual commands name the resource', () => {
  expect(manualDmsDelete('dms-endpoint', 'arn:e')).toBe('aws dms delete-endpoint --endpoint-arn arn:e');
  expect(manualDmsDelete('dms-task', 'arn:t')).toContain('aws dms delete-replication-task --replication-task-arn arn:t');
  expect(manualDmsDelete('dms-replication-instance', 'arn:i')).toBe('aws dms delete-replication-instance --replication-instance-arn arn:i');
});
