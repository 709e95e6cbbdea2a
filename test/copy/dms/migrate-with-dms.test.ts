import {
  AccessDeniedFault, CreateEndpointCommand, CreateReplicationInstanceCommand, CreateReplicationTaskCommand, InsufficientResourceCapacityFault,
  StartReplicationTaskCommand, TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import { AbortedError, AwsResourceError, CleanupError, CopyError, InvalidInputError, LogEvent, migrateSchemas, ProgressEvent, TableEvent } from '../../../src';
import { DmsLedger, DmsResourceKind, migrateWithDms, MigrateWithDmsOptions } from '../../../src/aws';
import { completedTable, FAST_DMS_WAIT, FakeDms, fakeDms, FakeDmsOptions } from '../../support/dms';
import { createDatabase, createSchemaWithDdl, useLocalCluster } from '../../support/postgres';

const cluster = useLocalCluster();
let sourceUrl: string;
const MAPPING = { source: 'acme_corp', target: 'pgsr_r1_0' };
const LOADED = [completedTable('acme_corp', 'events_2024', 4), completedTable('acme_corp', 'notes', 0), completedTable('acme_corp', 'orders', 3)];

beforeAll(async () => {
  sourceUrl = await createDatabase(cluster(), 'tenants');
  await createSchemaWithDdl(sourceUrl, 'acme_corp', `
    CREATE TABLE orders (id int, note text, total int GENERATED ALWAYS AS (id * 2) STORED);
    CREATE TABLE notes (body text);
    CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    INSERT INTO orders (id, note) VALUES (1, 'a'), (2, 'b'), (3, repeat('n', 100000));
    INSERT INTO events SELECT g, date '2024-02-01' + g FROM generate_series(1, 4) g;`);
});

interface RecordingLedger extends DmsLedger {
  readonly entries: { kind: DmsResourceKind; id: string }[];
  readonly removed: string[];
}

/** A ledger that keeps what it is told; the n-th record (1-based) fails when asked. */
function recordingLedger(failOnRecord?: number): RecordingLedger {
  const entries: { kind: DmsResourceKind; id: string }[] = [];
  const removed: string[] = [];
  return {
    entries,
    removed,
    record: async (e) => {
      if (entries.length + 1 === failOnRecord) throw new Error('ledger store unreachable');
      entries.push(e);
    },
    remove: async (_kind, id) => {
      removed.push(id);
    },
  };
}

function options(dms: FakeDms, extra: Partial<MigrateWithDmsOptions> = {}): MigrateWithDmsOptions {
  return {
    source: sourceUrl,
    schemas: [MAPPING],
    clients: { dms: dms.client },
    replicationSubnetGroupId: 'db-subnets',
    vpcSecurityGroupIds: ['sg-0abc'],
    sourceSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:past-AbCdEf',
    targetSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:live-AbCdEf',
    secretsAccessRoleArn: 'arn:aws:iam::123456789012:role/dms-secrets',
    sourceDatabase: 'tenants',
    targetDatabase: 'tenants',
    restoreId: 'r1',
    wait: FAST_DMS_WAIT,
    now: () => new Date('2024-01-28T14:00:00Z'),
    ...extra,
  };
}

const loaded = (): FakeDmsOptions['load'] => () => ({ statistics: LOADED });

/** Every resource the fake created received its delete call, tasks before endpoints before the instance. */
function expectAllDeleted(dms: FakeDms): void {
  const created = [...dms.resources.keys()];
  expect([...dms.deleteCalls].sort()).toEqual([...created].sort());
  const order = dms.deleteCalls.map((arn) => dms.resources.get(arn)!.kind);
  expect(order).toEqual([...order].sort((a, b) => ['dms-task', 'dms-endpoint', 'dms-replication-instance'].indexOf(a) - ['dms-task', 'dms-endpoint', 'dms-replication-instance'].indexOf(b)));
}

test('happy path: creates tagged resources, tests both endpoints, loads with the right mappings and settings, reports rows, deletes everything', async () => {
  const dms = fakeDms({ load: loaded() });
  const ledger = recordingLedger();
  const events: ProgressEvent[] = [];
  const copied = await migrateWithDms(options(dms, { ledger, onProgress: (e) => events.push(e) }));

  expect(copied).toEqual([
    { schema: 'acme_corp', table: 'events_2024', rows: 4, bytes: 0, durationMs: 2000, persistence: 'permanent' },
    { schema: 'acme_corp', table: 'notes', rows: 0, bytes: 0, durationMs: 2000, persistence: 'permanent' },
    { schema: 'acme_corp', table: 'orders', rows: 3, bytes: 0, durationMs: 2000, persistence: 'permanent' },
  ]);
  const tags = [{ Key: 'pg-schema-restore:restore-id', Value: 'r1' }, { Key: 'pg-schema-restore:expires-at', Value: '2024-01-28T20:00:00.000Z' }];
  expect(dms.mock.commandCalls(CreateReplicationInstanceCommand)[0].args[0].input).toEqual({
    ReplicationInstanceIdentifier: 'pgsr-r1',
    ReplicationInstanceClass: 'dms.t3.medium',
    ReplicationSubnetGroupIdentifier: 'db-subnets',
    VpcSecurityGroupIds: ['sg-0abc'],
    PubliclyAccessible: false,
    MultiAZ: false,
    Tags: tags,
  });
  const endpoints = dms.mock.commandCalls(CreateEndpointCommand).map((c) => c.args[0].input);
  expect(endpoints).toEqual([
    expect.objectContaining({
      EndpointIdentifier: 'pgsr-r1-source',
      EndpointType: 'source',
      EngineName: 'postgres',
      DatabaseName: 'tenants',
      SslMode: 'require',
      Tags: tags,
      PostgreSQLSettings: {
        SecretsManagerSecretId: options(dms).sourceSecretArn,
        SecretsManagerAccessRoleArn: options(dms).secretsAccessRoleArn,
        DatabaseName: 'tenants',
        FailTasksOnLobTruncation: true,
      },
    }),
    expect.objectContaining({ EndpointIdentifier: 'pgsr-r1-target', EndpointType: 'target', PostgreSQLSettings: expect.objectContaining({ SecretsManagerSecretId: options(dms).targetSecretArn }) }),
  ]);
  expect(dms.mock.commandCalls(TestConnectionCommand)).toHaveLength(2);
  const task = dms.mock.commandCalls(CreateReplicationTaskCommand)[0].args[0].input;
  expect(task).toMatchObject({ ReplicationTaskIdentifier: 'pgsr-r1-0', MigrationType: 'full-load', Tags: tags });
  const mappings = JSON.parse(task.TableMappings!);
  expect(mappings.rules).toEqual(expect.arrayContaining([
    expect.objectContaining({ 'rule-type': 'selection', 'object-locator': { 'schema-name': 'acme[_]corp', 'table-name': '%' }, 'rule-action': 'include' }),
    expect.objectContaining({ 'rule-type': 'transformation', 'rule-target': 'schema', 'rule-action': 'rename', 'value': 'pgsr_r1_0' }),
    expect.objectContaining({ 'rule-action': 'exclude', 'object-locator': { 'schema-name': 'acme[_]corp', 'table-name': 'events' } }),
    expect.objectContaining({ 'rule-action': 'remove-column', 'object-locator': { 'schema-name': 'acme[_]corp', 'table-name': 'orders', 'column-name': 'total' } }),
  ]));
  const settings = JSON.parse(task.ReplicationTaskSettings!);
  expect(settings.FullLoadSettings).toMatchObject({ TargetTablePrepMode: 'DO_NOTHING', MaxFullLoadSubTasks: 4 });
  expect(settings.TargetMetadata).toMatchObject({ SupportLobs: true, LimitedSizeLobMode: true, FullLobMode: false, LobMaxSize: 196 });
  expect(settings.ValidationSettings).toEqual({ EnableValidation: false });
  expect(dms.mock.commandCalls(StartReplicationTaskCommand)[0].args[0].input.StartReplicationTaskType).toBe('start-replication');

  expectAllDeleted(dms);
  expect(ledger.entries.map((e) => e.kind)).toEqual(['dms-replication-instance', 'dms-endpoint', 'dms-endpoint', 'dms-task']);
  expect(ledger.entries.map((e) => e.id).sort()).toEqual([...dms.resources.keys()].sort());
  expect(ledger.removed.sort()).toEqual([...dms.resources.keys()].sort());

  const logs = events.filter((e): e is LogEvent => e.type === 'log').map((e) => e.message);
  expect(logs).toContain('DMS replication instance: creating → available');
  expect(logs).toContain('DMS source endpoint connection test: testing → successful');
  expect(logs.some((m) => /DMS task pgsr-r1-0: starting → running/.test(m))).toBe(true);
  const done = events.filter((e): e is TableEvent => e.type === 'table' && e.status === 'done');
  expect(done.map((e) => [e.table, e.rows])).toEqual([['events_2024', 4], ['notes', 0], ['orders', 3]]);
});

test('migrateSchemas dispatches to the DMS engine and checks its options first', async () => {
  const dms = fakeDms({ load: loaded() });
  const { source, schemas, ...rest } = options(dms);
  const copied = await migrateSchemas({ engine: 'dms', dms: rest, source: source as string, target: sourceUrl, schemas });
  expect(copied.map((t) => t.rows)).toEqual([4, 0, 3]);
  await expect(migrateSchemas({ engine: 'dms', source: sourceUrl, target: sourceUrl, schemas })).rejects.toThrow(InvalidInputError);
  await expect(migrateWithDms(options(dms, { replicationSubnetGroupId: undefined }))).rejects.toThrow(/replicationSubnetGroupId .* or dms.replicationInstanceArn/);
  await expect(migrateWithDms(options(dms, { sslMode: 'verify-full' }))).rejects.toThrow(/certificateArn/);
});

test('an existing replication instance is used and kept; keepResources keeps the created endpoints and task', async () => {
  const dms = fakeDms({ load: loaded() });
  const created = await dms.client.send(new CreateReplicationInstanceCommand({ ReplicationInstanceIdentifier: 'shared', ReplicationInstanceClass: 'dms.r5.large' }));
  const arn = created.ReplicationInstance!.ReplicationInstanceArn!;
  await migrateWithDms(options(dms, { replicationInstanceArn: arn, replicationSubnetGroupId: undefined }));
  expect(dms.mock.commandCalls(CreateReplicationInstanceCommand)).toHaveLength(1); // only ours, above
  expect(dms.deleteCalls).not.toContain(arn);
  expect(dms.deleteCalls).toHaveLength(3);

  const kept = fakeDms({ load: loaded() });
  await migrateWithDms(options(kept, { keepResources: true }));
  expect(kept.deleteCalls).toEqual([]);
});

test('a failed connection test names the endpoint, DMS\'s reason and the fix, in one line, and everything is deleted', async () => {
  const dms = fakeDms({ load: loaded(), connection: { target: { status: 'failed', message: 'Test connection failed for endpoint.\nFATAL: password authentication failed for user "restore"' } } });
  const error = await migrateWithDms(options(dms)).catch((e) => e);
  expect(error).toBeInstanceOf(AwsResourceError);
  expect(error.message).toMatch(/^DMS cannot connect to the target database through endpoint pgsr-r1-target: Test connection failed for endpoint\. FATAL: password authentication failed for user "restore"; check that the replication instance's security groups/);
  expect(error.message).toMatch(/secret arn:aws:secretsmanager:.*live-AbCdEf holds host, port, username and password, and that role arn:aws:iam::123456789012:role\/dms-secrets may read it$/);
  expect(error.message).not.toContain('\n');
  expectAllDeleted(dms);
});

test('a failed task: its stop reason and last failure in a one-line CopyError', async () => {
  const dms = fakeDms({
    load: () => ({ statistics: [], status: 'failed', stopReason: 'Stop Reason FATAL_ERROR', lastFailureMessage: 'Last Error Task error notification received from subtask 0; ODBC general error.' }),
  });
  const error = await migrateWithDms(options(dms)).catch((e) => e);
  expect(error).toBeInstanceOf(CopyError);
  expect(error.message).toBe('DMS task pgsr-r1-0 for schema "acme_corp" ended "failed" (Stop Reason FATAL_ERROR): Last Error Task error notification received from subtask 0; ODBC general error.; ' +
    'read the task log in CloudWatch (enable it with dms.logging) or the DMS console, fix the cause and retry');
  expectAllDeleted(dms);
});

test('a table in error fails the load naming the table', async () => {
  const dms = fakeDms({
    load: () => ({
      statistics: [LOADED[0], completedTable('acme_corp', 'orders', 1, 'Table error', 2), LOADED[1]],
      status: 'stopped',
      stopReason: 'Stop Reason RECOVERABLE_ERROR',
      lastFailureMessage: 'Table error on acme_corp.orders',
    }),
  });
  const error = await migrateWithDms(options(dms)).catch((e) => e);
  expect(error).toBeInstanceOf(CopyError);
  expect(error).toMatchObject({ schema: 'acme_corp', relation: 'orders' });
  expect(error.message).toMatch(/^DMS could not load table "acme_corp"."orders": state "Table error", 2 rows in error \(task: Table error on acme_corp.orders\); read the task log/);
  expectAllDeleted(dms);
});

test('a table DMS did not report fails the load', async () => {
  const dms = fakeDms({ load: () => ({ statistics: [LOADED[0], LOADED[2]] }) });
  await expect(migrateWithDms(options(dms))).rejects.toThrow(/DMS task pgsr-r1-0 did not load table "acme_corp"."notes"/);
  expectAllDeleted(dms);
});

const denied = () => new AccessDeniedFault({ message: 'User is not authorized to perform: dms:Something', $metadata: {} });
test.each([
  ['CreateReplicationInstance', 1, new InsufficientResourceCapacityFault({ message: 'No capacity for dms.t3.medium', $metadata: {} }), /another dms.replicationInstanceClass/],
  ['CreateEndpoint', 1, denied(), /create the source endpoint pgsr-r1-source: AccessDeniedFault/],
  ['CreateEndpoint', 2, denied(), /create the target endpoint pgsr-r1-target/],
  ['TestConnection', 2, denied(), /test the target endpoint/],
  ['CreateReplicationTask', 1, denied(), /create the replication task pgsr-r1-0/],
  ['StartReplicationTask', 1, denied(), /start the replication task/],
  ['DescribeTableStatistics', 2, denied(), /read the table statistics/],
])('a failure of %s (call %i) rejects and deletes every resource created so far', async (command, nth, error, message) => {
  const dms = fakeDms({ load: loaded(), failOn: { command, nth, error } });
  const ledger = recordingLedger();
  await expect(migrateWithDms(options(dms, { ledger }))).rejects.toThrow(message);
  expectAllDeleted(dms);
  expect(ledger.entries.map((e) => e.id).sort()).toEqual([...dms.resources.keys()].sort());
});

test('an instance that cannot become available, and a ledger that cannot record, fail the load and leave nothing behind', async () => {
  const stuck = fakeDms({ load: loaded(), instanceEnds: 'incompatible-network' });
  await expect(migrateWithDms(options(stuck))).rejects.toThrow(/is "incompatible-network" instead of available; check its subnet group/);
  expectAllDeleted(stuck);

  const dms = fakeDms({ load: loaded() });
  await expect(migrateWithDms(options(dms, { ledger: recordingLedger(2) }))).rejects.toThrow('ledger store unreachable');
  expect(dms.resources.size).toBe(2); // the instance and the endpoint the ledger refused
  expectAllDeleted(dms);
});

test('abort while the instance is created: everything is deleted, then AbortedError', async () => {
  const dms = fakeDms({ load: loaded() });
  const controller = new AbortController();
  const events: ProgressEvent[] = [];
  const error = await migrateWithDms(options(dms, {
    signal: controller.signal,
    onProgress: (e) => {
      events.push(e);
      if (e.type === 'log' && e.message === 'DMS replication instance: creating') controller.abort();
    },
  })).catch((e) => e);
  expect(error).toBeInstanceOf(AbortedError);
  expect(dms.resources.size).toBe(3);
  expectAllDeleted(dms);
});

test('a resource that cannot be deleted is named in a CleanupError with the original failure', async () => {
  const dms = fakeDms({ load: loaded(), failOn: { command: 'DeleteEndpoint', nth: 1, error: denied() } });
  const error = await migrateWithDms(options(dms)).catch((e) => e);
  expect(error).toBeInstanceOf(CleanupError);
  expect(error.leftovers).toEqual([expect.objectContaining({ kind: 'dms-endpoint', id: expect.stringContaining('PGSR-R1-SOURCE') })]);
  expect(error.message).toMatch(/^DMS resources could not be deleted: dms-endpoint .*aws dms delete-endpoint --endpoint-arn/);
});
