import {
  DatabaseMigrationServiceClient, DeleteEndpointCommand, DeleteReplicationInstanceCommand, DeleteReplicationTaskCommand, DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand, DescribeReplicationTasksCommand, ListTagsForResourceCommand, ResourceNotFoundFault,
} from '@aws-sdk/client-database-migration-service';
import { DeleteSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { findOrphans, sweepOrphans } from '../../src/aws';
import { FAST_WAIT, fakeRds } from '../support/rds';

const NOW = new Date('2024-01-28T15:00:00Z');
const tagged = (restoreId: string, expiresAt: string) => [{ Key: 'pg-schema-restore:restore-id', Value: restoreId }, { Key: 'pg-schema-restore:expires-at', Value: expiresAt }];

function account() {
  const rds = fakeRds({
    instances: [
      { DBInstanceIdentifier: 'prod-db', InstanceCreateTime: new Date('2020-01-01T00:00:00Z'), TagList: [{ Key: 'team', Value: 'billing' }] },
      { DBInstanceIdentifier: 'pgsr-expired', InstanceCreateTime: new Date('2024-01-28T06:00:00Z'), TagList: tagged('r1', '2024-01-28T12:00:00.000Z') },
      { DBInstanceIdentifier: 'pgsr-fresh', InstanceCreateTime: new Date('2024-01-28T14:00:00Z'), TagList: tagged('r2', '2024-01-28T20:00:00.000Z') },
      { DBInstanceIdentifier: 'pgsr-old', InstanceCreateTime: new Date('2024-01-26T00:00:00Z'), TagList: tagged('r3', '2024-02-28T00:00:00.000Z') },
      { DBInstanceIdentifier: 'pgsr-leaving', DBInstanceStatus: 'deleting', InstanceCreateTime: new Date('2024-01-20T00:00:00Z'), TagList: tagged('r4', '2024-01-20T06:00:00.000Z') },
    ],
    clusters: [
      { DBClusterIdentifier: 'pgsr-expired', ClusterCreateTime: new Date('2024-01-28T06:00:00Z'), TagList: tagged('r1', '2024-01-28T12:00:00.000Z') },
      { DBClusterIdentifier: 'prod-aurora', ClusterCreateTime: new Date('2020-01-01T00:00:00Z') },
    ],
  });
  const secretsClient = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const secrets = mockClient(secretsClient);
  secrets.on(ListSecretsCommand).resolves({
    SecretList: [{ ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:pgsr-r1', CreatedDate: new Date('2024-01-28T06:00:00Z'), Tags: tagged('r1', '2024-01-28T12:00:00.000Z') }],
  });
  secrets.on(DeleteSecretCommand).resolves({});
  // DMS: a task and an endpoint of the expired restore r1; the account's own replication instance is not ours.
  const dmsClient = new DatabaseMigrationServiceClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const dms = mockClient(dmsClient);
  const task = 'arn:aws:dms:eu-west-1:1:task:PGSR', endpoint = 'arn:aws:dms:eu-west-1:1:endpoint:PGSR', instance = 'arn:aws:dms:eu-west-1:1:rep:SHARED';
  dms.on(DescribeReplicationTasksCommand).resolves({
    ReplicationTasks: [{ ReplicationTaskArn: task, Status: 'stopped', ReplicationTaskCreationDate: new Date('2024-01-28T06:30:00Z') }],
  });
  dms.on(DescribeEndpointsCommand).resolves({ Endpoints: [{ EndpointArn: endpoint, Status: 'active' }] });
  dms.on(DescribeReplicationInstancesCommand).resolves({ ReplicationInstances: [{ ReplicationInstanceArn: instance, InstanceCreateTime: new Date('2020-01-01T00:00:00Z') }] });
  dms.on(ListTagsForResourceCommand).resolves({
    TagList: [...tagged('r1', '2024-01-28T12:00:00.000Z').map((t) => ({ ...t, ResourceArn: task })), ...tagged('r1', '2024-01-28T12:00:00.000Z').map((t) => ({ ...t, ResourceArn: endpoint })),
      { Key: 'team', Value: 'data', ResourceArn: instance }],
  });
  return { rds, secrets, dms, clients: { rds: rds.client, secretsManager: secretsClient, dms: dmsClient } };
}

describe('orphan sweep', () => {
  test('finds tagged resources whose expires-at has passed, and with olderThanMs those created too long ago', async () => {
    const { clients, secrets } = account();
    const expired = await findOrphans({ clients, now: NOW });
    expect(expired.map((o) => `${o.kind} ${o.id} ${o.restoreId} ${o.reason}`)).toEqual([
      'rds-instance pgsr-expired r1 expired 2024-01-28T12:00:00.000Z',
      'rds-cluster pgsr-expired r1 expired 2024-01-28T12:00:00.000Z',
      'secret arn:aws:secretsmanager:eu-west-1:1:secret:pgsr-r1 r1 expired 2024-01-28T12:00:00.000Z',
      'dms-task arn:aws:dms:eu-west-1:1:task:PGSR r1 expired 2024-01-28T12:00:00.000Z',
      'dms-endpoint arn:aws:dms:eu-west-1:1:endpoint:PGSR r1 expired 2024-01-28T12:00:00.000Z',
    ]);
    expect(secrets.commandCalls(ListSecretsCommand)[0].args[0].input).toMatchObject({ Filters: [{ Key: 'tag-key', Values: ['pg-schema-restore:restore-id'] }] });
    const old = await findOrphans({ clients, now: NOW, olderThanMs: 24 * 3600_000 });
    expect(old.map((o) => o.id)).toContain('pgsr-old');
    expect(old.map((o) => o.id)).not.toContain('pgsr-fresh');
  });

  test('a dry run lists and deletes nothing; a real run deletes the orphans, instances before clusters', async () => {
    const { rds, secrets, dms, clients } = account();
    const dry = await sweepOrphans({ clients, now: NOW, dryRun: true });
    expect(dry.orphans).toHaveLength(5);
    expect(dry.deleted).toEqual([]);
    expect(rds.deleted).toEqual([]);
    // The instance is a member of the expired cluster, as in a real Aurora restore.
    rds.clusters.set('pgsr-expired', { ...rds.clusters.get('pgsr-expired')!, DBClusterMembers: [{ DBInstanceIdentifier: 'pgsr-expired' }] });
    const notFound = new ResourceNotFoundFault({ message: 'not found', $metadata: {} });
    dms.resetHistory(); // "once" answers count calls from here: the listing, then the deleter
    dms.on(DescribeReplicationTasksCommand).resolvesOnce({ ReplicationTasks: [{ ReplicationTaskArn: 'arn:aws:dms:eu-west-1:1:task:PGSR', Status: 'stopped' }] })
      .resolvesOnce({ ReplicationTasks: [{ ReplicationTaskArn: 'arn:aws:dms:eu-west-1:1:task:PGSR', Status: 'stopped' }] }).rejects(notFound);
    dms.on(DeleteReplicationTaskCommand).resolves({});
    dms.on(DeleteEndpointCommand).resolves({});
    dms.on(DescribeEndpointsCommand).resolvesOnce({ Endpoints: [{ EndpointArn: 'arn:aws:dms:eu-west-1:1:endpoint:PGSR', Status: 'active' }] }).rejects(notFound);
    const swept = await sweepOrphans({ clients, now: NOW, awsWait: FAST_WAIT });
    expect(rds.deleted).toEqual(['pgsr-expired', 'pgsr-expired']);
    expect(secrets.commandCalls(DeleteSecretCommand)).toHaveLength(1);
    expect(dms.commandCalls(DeleteReplicationTaskCommand)[0].args[0].input).toEqual({ ReplicationTaskArn: 'arn:aws:dms:eu-west-1:1:task:PGSR' });
    expect(dms.commandCalls(DeleteEndpointCommand)[0].args[0].input).toEqual({ EndpointArn: 'arn:aws:dms:eu-west-1:1:endpoint:PGSR' });
    expect(dms.commandCalls(DeleteReplicationInstanceCommand)).toHaveLength(0);
    expect(swept.deleted.map((o) => o.kind)).toEqual(['rds-instance', 'rds-cluster', 'secret', 'dms-task', 'dms-endpoint']);
    // …deleted in dependency order all the same: the DMS task went first.
    expect(dms.commandCalls(DeleteReplicationTaskCommand)).toHaveLength(1);
    expect([...rds.instances.keys()]).toEqual(['prod-db', 'pgsr-fresh', 'pgsr-old', 'pgsr-leaving']);
  });
});
