import { CreateDBInstanceCommand, InsufficientDBInstanceCapacityFault } from '@aws-sdk/client-rds';
import { AbortedError, AwsResourceError, ProgressEvent, RdsSource } from '../../../src';
import { Ledger, LedgerEntry, LedgerStore, memoryLedgerStore, restoreRdsTemporary, RdsRestoreOptions } from '../../../src/aws';
import { createSampleDatabases } from '../../../src/sample';
import { useLocalCluster, withClient } from '../../support/postgres';
import { FAST_WAIT, fakeRds, FakeRds, FakeRdsOptions, LATEST, NOW, SOURCE_CLUSTER, SOURCE_INSTANCE, SOURCE_WRITER } from '../../support/rds';

const PASSWORD = 'pw-secret';
const AT = new Date('2024-01-28T14:30:00Z');

describe('restoreRdsTemporary', () => {
  const server = useLocalCluster({ password: PASSWORD }); // plays the temporary RDS endpoint
  beforeAll(async () => {
    await createSampleDatabases(server(), { rows: 10, databases: { tenant_a: ['customer_a1'] } });
  });

  const credentials = { username: 'postgres', password: PASSWORD };
  const fake = (options: FakeRdsOptions = {}) => fakeRds({ endpoint: { Address: '127.0.0.1', Port: server().port }, ...options });
  const restore = async (rds: FakeRds, source: Partial<RdsSource>, options: Partial<RdsRestoreOptions> = {}) => {
    const ledger = options.ledger ?? new Ledger(memoryLedgerStore(), 'r1', () => NOW);
    const events: ProgressEvent[] = [];
    const past = await restoreRdsTemporary({ kind: 'rds', id: 'prod-db', credentials, ...source } as RdsSource, {
      clients: { rds: rds.client },
      ledger,
      restoreId: 'r1',
      tls: false,
      awsWait: FAST_WAIT,
      now: () => NOW,
      database: 'tenant_a',
      schemas: ['customer_a1'],
      onProgress: (e) => events.push(e),
      ...options,
    });
    return { past, ledger, events };
  };
  const tags = (ttlHours = 6) => [
    { Key: 'pg-schema-restore:restore-id', Value: 'r1' },
    { Key: 'pg-schema-restore:expires-at', Value: new Date(NOW.getTime() + ttlHours * 3600_000).toISOString() },
  ];

  test('instance to a point in time: private, tagged, like the source; readable; cleanup deletes it, twice is fine', async () => {
    const rds = fake();
    const { past, ledger, events } = await restore(rds, { restoreTime: AT });
    expect(rds.createInputs).toEqual([{
      SourceDBInstanceIdentifier: 'prod-db',
      TargetDBInstanceIdentifier: 'pgsr-r1',
      RestoreTime: AT,
      UseLatestRestorableTime: undefined,
      DBInstanceClass: 'db.r6g.large',
      DBSubnetGroupName: 'prod-subnets',
      VpcSecurityGroupIds: ['sg-prod'],
      DBParameterGroupName: 'prod-pg16',
      PubliclyAccessible: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      MultiAZ: false,
      Tags: tags(),
    }]);
    expect(past.restorePoint).toEqual(AT);
    expect(past.description).toBe('RDS instance "prod-db" as of 2024-01-28T14:30:00.000Z restored as pgsr-r1');
    expect(past.connection).toMatchObject({ host: '127.0.0.1', port: server().port, database: 'tenant_a', user: 'postgres', ssl: false });
    const rows = await withClient(server().url('tenant_a'), async (c) => (await c.query('SELECT count(*)::int AS n FROM customer_a1.users')).rows[0].n);
    expect(rows).toBe(10);
    expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && `${e.phase}:${e.status}`)).toEqual(['source:start', 'source:done']);
    expect(events.some((e) => e.type === 'log' && e.message === 'pgsr-r1: creating → backing-up → available')).toBe(true);
    expect((await ledger.entries()).map((e) => [e.kind, e.id])).toEqual([['rds-instance', 'pgsr-r1']]);
    await past.cleanup();
    await past.cleanup();
    expect(rds.deleted).toEqual(['pgsr-r1']);
    expect(await ledger.entries()).toEqual([]);
  });

  test('latest restorable time: the restore point is the one read just before the restore call', async () => {
    const rds = fake();
    const later = new Date(LATEST.getTime() + 60_000);
    const { past } = await restore(rds, { useLatestRestorableTime: true }, {
      onProgress: (e) => {
        if (e.type === 'phase' && e.status === 'start') rds.instances.set('prod-db', { ...SOURCE_INSTANCE, LatestRestorableTime: later });
      },
    });
    expect(rds.createInputs[0]).toMatchObject({ UseLatestRestorableTime: true, RestoreTime: undefined });
    expect(past.restorePoint).toEqual(later);
    await past.cleanup();
  });

  test('instance from a snapshot: the restore point is the snapshot time', async () => {
    const taken = new Date('2024-01-27T03:00:00Z');
    const rds = fake({ snapshots: [{ DBSnapshotIdentifier: 'nightly', DBInstanceIdentifier: 'prod-db', Status: 'available', SnapshotCreateTime: taken, Engine: 'postgres' }] });
    const { past } = await restore(rds, { snapshotId: 'nightly', instanceClass: 'db.t4g.medium', subnetGroup: 'restore-subnets', securityGroupIds: ['sg-restore'] });
    expect(rds.createInputs).toEqual([expect.objectContaining({
      DBInstanceIdentifier: 'pgsr-r1',
      DBSnapshotIdentifier: 'nightly',
      DBInstanceClass: 'db.t4g.medium',
      DBSubnetGroupName: 'restore-subnets',
      VpcSecurityGroupIds: ['sg-restore'],
      PubliclyAccessible: false,
      DeletionProtection: false,
      Tags: tags(),
    })]);
    expect(past.restorePoint).toEqual(taken);
    await past.cleanup();
    expect(rds.deleted).toEqual(['pgsr-r1']);
  });

  test('Aurora cluster to a point in time: a full copy, then a provisioned instance of the writer\'s class; cleanup deletes the instance first', async () => {
    const rds = fake({ instances: [SOURCE_WRITER], clusters: [SOURCE_CLUSTER] });
    const { past, ledger, events } = await restore(rds, { id: 'prod-aurora', restoreTime: AT, ttlHours: 2 });
    expect(rds.createInputs).toEqual([
      {
        DBClusterIdentifier: 'pgsr-r1',
        SourceDBClusterIdentifier: 'prod-aurora',
        RestoreType: 'full-copy',
        RestoreToTime: AT,
        UseLatestRestorableTime: undefined,
        DBSubnetGroupName: 'aurora-subnets',
        VpcSecurityGroupIds: ['sg-aurora'],
        DBClusterParameterGroupName: 'aurora-pg15',
        ServerlessV2ScalingConfiguration: undefined,
        DeletionProtection: false,
        CopyTagsToSnapshot: false,
        Tags: tags(2),
      },
      {
        DBInstanceIdentifier: 'pgsr-r1-1',
        DBClusterIdentifier: 'pgsr-r1',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.xlarge',
        DBParameterGroupName: 'aurora-pg15-instance',
        PubliclyAccessible: false,
        CopyTagsToSnapshot: false,
        Tags: tags(2),
      },
    ]);
    expect(events.some((e) => e.type === 'log' && e.message === 'pgsr-r1: creating → available')).toBe(true);
    expect((await ledger.entries()).map((e) => e.id)).toEqual(['pgsr-r1', 'pgsr-r1-1']);
    expect(past.description).toContain('Aurora cluster "prod-aurora"');
    await past.cleanup();
    expect(rds.deleted).toEqual(['pgsr-r1-1', 'pgsr-r1']);
    expect(await ledger.entries()).toEqual([]);
  });

  test('Aurora Serverless v2: a db.serverless instance, the cluster\'s scaling range copied; an Aurora instance id stands for its cluster', async () => {
    const scaling = { MinCapacity: 0.5, MaxCapacity: 8 };
    const rds = fake({
      instances: [{ ...SOURCE_WRITER, DBInstanceClass: 'db.serverless' }],
      clusters: [{ ...SOURCE_CLUSTER, ServerlessV2ScalingConfiguration: scaling }],
    });
    const { past } = await restore(rds, { id: 'prod-aurora-1', useLatestRestorableTime: true });
    expect(rds.createInputs[0]).toMatchObject({ SourceDBClusterIdentifier: 'prod-aurora', UseLatestRestorableTime: true, ServerlessV2ScalingConfiguration: scaling });
    expect(rds.createInputs[1]).toMatchObject({ DBClusterIdentifier: 'pgsr-r1', DBInstanceClass: 'db.serverless' });
    await past.cleanup();
  });

  test('Aurora cluster from a cluster snapshot: engine and version from the snapshot', async () => {
    const taken = new Date('2024-01-26T03:00:00Z');
    const rds = fake({
      instances: [SOURCE_WRITER],
      clusters: [SOURCE_CLUSTER],
      clusterSnapshots: [{ DBClusterSnapshotIdentifier: 'weekly', DBClusterIdentifier: 'prod-aurora', Status: 'available', SnapshotCreateTime: taken, Engine: 'aurora-postgresql', EngineVersion: '15.3' }],
    });
    const { past } = await restore(rds, { id: 'prod-aurora', snapshotId: 'weekly' });
    expect(rds.createInputs[0]).toMatchObject({ DBClusterIdentifier: 'pgsr-r1', SnapshotIdentifier: 'weekly', Engine: 'aurora-postgresql', EngineVersion: '15.3', Tags: tags() });
    expect(past.restorePoint).toEqual(taken);
    await past.cleanup();
    expect(rds.deleted).toEqual(['pgsr-r1-1', 'pgsr-r1']);
  });

  test('the secret version current at the restore point logs in', async () => {
    const rds = fake();
    const resolveSecret = jest.fn(async () => ({ versionId: 'v-old', credentials, temporarySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/t' }));
    const { past, ledger } = await restore(rds, { restoreTime: AT, credentials: undefined, secretId: 'prod-db-master' }, { resolveSecret });
    expect(resolveSecret).toHaveBeenCalledWith(expect.objectContaining({
      secretId: 'prod-db-master', at: AT, host: '127.0.0.1', port: server().port, database: 'tenant_a', verify: true, ledger, tls: false,
    }));
    expect(past.connection).toMatchObject({ user: 'postgres', password: PASSWORD });
    // The temporary secret (login + temporary host) is what the DMS engine's source endpoint reads.
    expect(past.secretArn).toBe('arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/t');
    await past.cleanup();
  });

  test('resetMasterPassword reaches the secret lookup as the TEMPORARY database\'s identifier, never the source\'s', async () => {
    const rds = fake();
    const resolveSecret = jest.fn(async () => ({ versionId: 'reset', credentials }));
    const { past } = await restore(rds, { restoreTime: AT, credentials: undefined, secretId: 'prod-db-master', resetMasterPassword: true }, { resolveSecret });
    expect(resolveSecret).toHaveBeenCalledWith(expect.objectContaining({ verify: true, resetMasterPassword: { dbInstanceIdentifier: 'pgsr-r1' } }));
    await past.cleanup();
  });

  test('a throttled status poll is retried by the SDK waiter', async () => {
    const rds = fake({ instanceStatuses: ['creating', 'throttled', 'backing-up', 'available'] });
    const { past } = await restore(rds, { restoreTime: AT });
    expect(past.restorePoint).toEqual(AT);
    await past.cleanup();
  });

  describe('a failure at any step after the first create deletes everything created so far', () => {
    /** A store whose n-th save (1-based) fails, as a full disk would. */
    const failingStore = (n: number): LedgerStore & { entries: readonly LedgerEntry[] } => {
      const inner = memoryLedgerStore();
      let saves = 0;
      return {
        get entries() {
          return inner.entries;
        },
        load: () => inner.load(),
        save: async (entries) => {
          if (++saves === n) throw new Error('ENOSPC: no space left on device');
          await inner.save(entries);
        },
      };
    };
    const cluster = { instances: [SOURCE_WRITER], clusters: [SOURCE_CLUSTER] };
    const capacity = () => new InsufficientDBInstanceCapacityFault({ message: 'Insufficient capacity for db.r6g.xlarge', $metadata: {} });
    const cases: Array<[string, FakeRdsOptions, Partial<RdsSource>, Partial<RdsRestoreOptions>, (rds: FakeRds) => void, RegExp, string[]]> = [
      ['instance: it ends failed', { instanceStatuses: ['creating', 'failed'] }, {}, {}, () => undefined, /pgsr-r1 ended in status "failed"/, ['pgsr-r1']],
      ['instance: the wait times out', { instanceStatuses: ['creating'] }, {}, { awsWait: { ...FAST_WAIT, maxWaitSeconds: 0.2 } }, () => undefined,
        /pgsr-r1 was not available after 0.2 s \(status "creating"\)/, ['pgsr-r1']],
      ['instance: recording it fails', {}, {}, { ledger: new Ledger(failingStore(1), 'r1') }, () => undefined, /cannot record pgsr-r1 in the resource ledger/, ['pgsr-r1']],
      ['instance: the database is missing', {}, { database: 'nope' }, { database: undefined }, () => undefined, /database "nope" does not exist/, ['pgsr-r1']],
      ['instance: the schema is missing', {}, {}, { schemas: ['nope'] }, () => undefined, /schema "nope" does not exist/, ['pgsr-r1']],
      ['instance: the login is refused', {}, { credentials: { username: 'postgres', password: 'wrong' } }, {}, () => undefined, /password authentication failed/, ['pgsr-r1']],
      ['cluster: it ends failed', { ...cluster, clusterStatuses: ['creating', 'incompatible-restore'] }, { id: 'prod-aurora' }, {}, () => undefined,
        /pgsr-r1 ended in status "incompatible-restore"/, ['pgsr-r1']],
      ['cluster: no capacity for its instance', cluster, { id: 'prod-aurora' }, {}, (rds) => rds.mock.on(CreateDBInstanceCommand).rejects(capacity()),
        /InsufficientDBInstanceCapacityFault: Insufficient capacity.*choose another instanceClass/, ['pgsr-r1']],
      ['cluster: its instance ends failed', { ...cluster, instanceStatuses: ['creating', 'incompatible-parameters'] }, { id: 'prod-aurora' }, {}, () => undefined,
        /pgsr-r1-1 ended in status "incompatible-parameters"/, ['pgsr-r1-1', 'pgsr-r1']],
      ['cluster: recording its instance fails', cluster, { id: 'prod-aurora' }, { ledger: new Ledger(failingStore(2), 'r1') }, () => undefined,
        /cannot record pgsr-r1-1/, ['pgsr-r1-1', 'pgsr-r1']],
      ['cluster: the schema is missing', cluster, { id: 'prod-aurora' }, { schemas: ['nope'] }, () => undefined, /schema "nope"/, ['pgsr-r1-1', 'pgsr-r1']],
    ];
    test.each(cases)('%s', async (_name, fakeOptions, source, options, arrange, message, deleted) => {
      const rds = fake(fakeOptions);
      arrange(rds);
      const ledger = options.ledger ?? new Ledger(memoryLedgerStore(), 'r1');
      await expect(restore(rds, { restoreTime: AT, ...source }, { ...options, ledger })).rejects.toThrow(message);
      expect(rds.deleted).toEqual(deleted);
      expect(await ledger.entries()).toEqual([]);
      expect([...rds.instances.keys()].filter((id) => id.startsWith('pgsr-'))).toEqual([]);
      expect([...rds.clusters.keys()].filter((id) => id.startsWith('pgsr-'))).toEqual([]);
    });
  });

  test('abort while the instance is being created: it is deleted, then AbortedError', async () => {
    const rds = fake({ instanceStatuses: ['creating', 'backing-up', 'backing-up', 'backing-up'] });
    const controller = new AbortController();
    const ledger = new Ledger(memoryLedgerStore(), 'r1');
    const run = restore(rds, { restoreTime: AT }, {
      ledger,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'log' && e.message.endsWith('backing-up')) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(rds.deleted).toEqual(['pgsr-r1']);
    expect(await ledger.entries()).toEqual([]);
  });

  test('aborted before it starts: nothing is called', async () => {
    const rds = fake();
    const controller = new AbortController();
    controller.abort();
    await expect(restore(rds, { restoreTime: AT }, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(rds.mock.calls()).toHaveLength(0);
  });

  test('errors are AwsResourceErrors naming the resource', async () => {
    const rds = fake({ instanceStatuses: ['failed'] });
    const err = await restore(rds, { restoreTime: AT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsResourceError);
    expect((err as AwsResourceError).resource).toBe('pgsr-r1');
    expect((err as Error).message).not.toContain('\n');
  });
});
