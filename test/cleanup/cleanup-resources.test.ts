import {
  DatabaseMigrationServiceClient, DeleteEndpointCommand, DeleteReplicationInstanceCommand, DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand, DescribeReplicationTasksCommand, ResourceNotFoundFault,
} from '@aws-sdk/client-database-migration-service';
import { DeleteDBInstanceCommand, DescribeDBInstancesCommand, InvalidDBInstanceStateFault, RDSServiceException } from '@aws-sdk/client-rds';
import { DeleteSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CleanupError } from '../../src';
import { cleanupResources, deletionOrder, Ledger, LedgerEntry, memoryLedgerStore } from '../../src/aws';
import { FAST_WAIT, fakeRds } from '../support/rds';

const entry = (kind: LedgerEntry['kind'], id: string, restoreId = 'r1', createdAt = '2024-01-28T14:00:00.000Z'): LedgerEntry => ({ kind, id, restoreId, createdAt });

function dmsClient() {
  const client = new DatabaseMigrationServiceClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  return { client, mock: mockClient(client) };
}

function secretsManager() {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  return { client, mock: mockClient(client) };
}

describe('cleanupResources', () => {
  test('deletes in dependency order with the right flags, and empties the ledger', async () => {
    const rds = fakeRds({
      instances: [{ DBInstanceIdentifier: 'pgsr-r1-1', DBClusterIdentifier: 'pgsr-r1' }],
      clusters: [
        { DBClusterIdentifier: 'pgsr-r1', DBClusterMembers: [{ DBInstanceIdentifier: 'pgsr-r1-1' }] },
      ],
    });
    const sm = secretsManager();
    sm.mock.on(DeleteSecretCommand).resolves({});
    const ledger = new Ledger(memoryLedgerStore([entry('secret', 'arn:secret:pgsr'), entry('rds-cluster', 'pgsr-r1'), entry('rds-instance', 'pgsr-r1-1')]), 'r1');
    const result = await cleanupResources(ledger, { clients: { rds: rds.client, secretsManager: sm.client } });
    expect(rds.deleted).toEqual(['pgsr-r1-1', 'pgsr-r1']);
    expect(rds.mock.commandCalls(DeleteDBInstanceCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: 'pgsr-r1-1', SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
    expect(sm.mock.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: 'arn:secret:pgsr', ForceDeleteWithoutRecovery: true });
    expect(result.deleted.map((e) => e.id)).toEqual(['pgsr-r1-1', 'pgsr-r1', 'arn:secret:pgsr']);
    expect(await ledger.entries()).toEqual([]);
  });

  test('idempotent: what is already gone counts as done', async () => {
    const rds = fakeRds({ instances: [] });
    const sm = secretsManager();
    sm.mock.on(DeleteSecretCommand).rejects(new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} }));
    const ledger = new Ledger(memoryLedgerStore([entry('rds-instance', 'pgsr-r1'), entry('rds-cluster', 'pgsr-r1'), entry('secret', 'arn:s')]), 'r1');
    const result = await cleanupResources(ledger, { clients: { rds: rds.client, secretsManager: sm.client } });
    expect(result.alreadyGone.map((e) => e.kind)).toEqual(['rds-instance', 'rds-cluster', 'secret']);
    expect(await ledger.entries()).toEqual([]);
    await expect(cleanupResources(ledger, { clients: { rds: rds.client } })).resolves.toEqual({ deleted: [], alreadyGone: [] });
  });

  test('keeps going after a failure, then one error lists what is left and how to delete it', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-a' }, { DBInstanceIdentifier: 'pgsr-b' }] });
    rds.mock.on(DeleteDBInstanceCommand, { DBInstanceIdentifier: 'pgsr-a' })
      .rejects(new RDSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized to perform: rds:DeleteDBInstance', $metadata: {} }));
    const ledger = new Ledger(memoryLedgerStore([entry('dms-task', 'arn:dms:task'), entry('rds-instance', 'pgsr-a'), entry('rds-instance', 'pgsr-b', 'r1', '2024-01-28T15:00:00.000Z')]), 'r1');
    const dms = dmsClient();
    dms.mock.on(DescribeReplicationTasksCommand).rejects(Object.assign(new Error('not authorized to perform: dms:DescribeReplicationTasks'), { name: 'AccessDeniedFault' }));
    const err = await cleanupResources(ledger, { clients: { rds: rds.client, dms: dms.client } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CleanupError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^could not delete 2 temporary resources: dms-task arn:dms:task \(.*dms:DescribeReplicationTasks.*\), rds-instance pgsr-a \(AccessDenied: not authorized/);
    expect(message).toContain('aws dms stop-replication-task --replication-task-arn arn:dms:task');
    expect(message).toContain('aws rds delete-db-instance --db-instance-identifier pgsr-a --skip-final-snapshot');
    expect((err as CleanupError).leftovers.map((l) => l.id)).toEqual(['arn:dms:task', 'pgsr-a']);
    expect(rds.deleted).toEqual(['pgsr-b']);
    expect((await ledger.entries()).map((e) => e.id)).toEqual(['arn:dms:task', 'pgsr-a']);
  });

  test('DMS resources: task, then endpoints, then the replication instance, each through the DMS client; a task already gone counts as done', async () => {
    const dms = dmsClient();
    const notFound = () => new ResourceNotFoundFault({ message: 'not found', $metadata: {} });
    dms.mock.on(DescribeReplicationTasksCommand).rejects(notFound());
    dms.mock.on(DeleteEndpointCommand).resolves({});
    dms.mock.on(DescribeEndpointsCommand).rejects(notFound());
    dms.mock.on(DeleteReplicationInstanceCommand).resolves({});
    dms.mock.on(DescribeReplicationInstancesCommand).rejects(notFound());
    const ledger = new Ledger(memoryLedgerStore([
      entry('dms-replication-instance', 'arn:dms:rep'), entry('dms-endpoint', 'arn:dms:source'), entry('dms-task', 'arn:dms:task'), entry('dms-endpoint', 'arn:dms:target'),
    ]), 'r1');
    const result = await cleanupResources(ledger, { clients: { dms: dms.client }, awsWait: FAST_WAIT });
    expect(result.alreadyGone.map((e) => e.id)).toEqual(['arn:dms:task']);
    expect(result.deleted.map((e) => e.id)).toEqual(['arn:dms:source', 'arn:dms:target', 'arn:dms:rep']);
    expect(dms.mock.commandCalls(DeleteEndpointCommand).map((c) => c.args[0].input.EndpointArn)).toEqual(['arn:dms:source', 'arn:dms:target']);
    expect(dms.mock.commandCalls(DeleteReplicationInstanceCommand)[0].args[0].input).toEqual({ ReplicationInstanceArn: 'arn:dms:rep' });
    expect(await ledger.entries()).toEqual([]);
  });

  test('an instance still being created is waited for (SDK waiter), then deleted', async () => {
    const rds = fakeRds();
    let polls = 0;
    rds.mock.on(DescribeDBInstancesCommand).callsFake(async () => ({ DBInstances: [{ DBInstanceIdentifier: 'pgsr-r1', DBInstanceStatus: ++polls > 2 ? 'available' : 'creating' }] }));
    rds.mock.on(DeleteDBInstanceCommand)
      .rejectsOnce(new InvalidDBInstanceStateFault({ message: 'Instance pgsr-r1 is not in available state.', $metadata: {} }))
      .resolves({});
    const ledger = new Ledger(memoryLedgerStore([entry('rds-instance', 'pgsr-r1')]), 'r1');
    await cleanupResources(ledger, { clients: { rds: rds.client }, awsWait: FAST_WAIT });
    expect(rds.mock.commandCalls(DeleteDBInstanceCommand)).toHaveLength(2);
    expect(polls).toBe(3);
    expect(await ledger.entries()).toEqual([]);
  });

  test('waitForDeletion strikes an instance only once it is gone', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-r1' }] });
    const ledger = new Ledger(memoryLedgerStore([entry('rds-instance', 'pgsr-r1')]), 'r1');
    await cleanupResources(ledger, { clients: { rds: rds.client }, waitForDeletion: true, awsWait: FAST_WAIT });
    expect(rds.mock.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: 'pgsr-r1' }]);
    expect(await ledger.entries()).toEqual([]);
  });

  test('only the ledger\'s own restore, unless allRestores', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-r1' }, { DBInstanceIdentifier: 'pgsr-r2' }] });
    const store = memoryLedgerStore([entry('rds-instance', 'pgsr-r1'), entry('rds-instance', 'pgsr-r2', 'r2')]);
    await cleanupResources(new Ledger(store, 'r1'), { clients: { rds: rds.client } });
    expect(rds.deleted).toEqual(['pgsr-r1']);
    await cleanupResources(new Ledger(store, 'sweeper'), { clients: { rds: rds.client }, allRestores: true });
    expect(rds.deleted).toEqual(['pgsr-r1', 'pgsr-r2']);
  });

  test('deletionOrder: by kind, then oldest first', () => {
    const order = deletionOrder([entry('secret', 's'), entry('rds-cluster', 'c'), entry('rds-instance', 'i2', 'r1', '2024-02-01T00:00:00Z'), entry('rds-instance', 'i1'), entry('dms-task', 't')]);
    expect(order.map((e) => e.id)).toEqual(['t', 'i1', 'i2', 'c', 's']);
  });
});
