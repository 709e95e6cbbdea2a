import {
  CreateDBInstanceCommand, DBCluster, DBClusterNotFoundFault, DBClusterSnapshot, DBClusterSnapshotNotFoundFault, DBInstance, DBInstanceNotFoundFault,
  DBSnapshot, DBSnapshotNotFoundFault, DeleteDBClusterCommand, DeleteDBInstanceCommand, DescribeDBClustersCommand, DescribeDBClusterSnapshotsCommand,
  DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, InvalidDBClusterStateFault, RDSClient,
  RDSServiceException, RestoreDBClusterFromSnapshotCommand, RestoreDBClusterToPointInTimeCommand, RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

/** The clock of the fake account: "now", and the retention window of its backups. */
export const NOW = new Date('2024-01-28T15:00:00Z');
export const EARLIEST = new Date('2024-01-21T15:00:00Z');
export const LATEST = new Date('2024-01-28T14:55:00Z');
/** Polls fast enough for tests, through the SDK waiters. */
export const FAST_WAIT = { minDelaySeconds: 0.001, maxDelaySeconds: 0.005, maxWaitSeconds: 5 };

export const SOURCE_INSTANCE: DBInstance = {
  DBInstanceIdentifier: 'prod-db',
  Engine: 'postgres',
  EngineVersion: '16.3',
  DBInstanceClass: 'db.r6g.large',
  DBInstanceStatus: 'available',
  MasterUsername: 'postgres',
  DBSubnetGroup: { DBSubnetGroupName: 'prod-subnets' },
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-prod', Status: 'active' }],
  DBParameterGroups: [{ DBParameterGroupName: 'prod-pg16' }],
  LatestRestorableTime: LATEST,
  BackupRetentionPeriod: 7,
  Endpoint: { Address: 'prod-db.abc123.eu-west-1.rds.amazonaws.com', Port: 5432 },
};
export const SOURCE_CLUSTER: DBCluster = {
  DBClusterIdentifier: 'prod-aurora',
  Engine: 'aurora-postgresql',
  EngineVersion: '15.4',
  Status: 'available',
  MasterUsername: 'postgres',
  EarliestRestorableTime: EARLIEST,
  LatestRestorableTime: LATEST,
  DBSubnetGroup: 'aurora-subnets',
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-aurora' }],
  DBClusterParameterGroup: 'aurora-pg15',
  DBClusterMembers: [{ DBInstanceIdentifier: 'prod-aurora-1', IsClusterWriter: true }, { DBInstanceIdentifier: 'prod-aurora-2', IsClusterWriter: false }],
};
export const SOURCE_WRITER: DBInstance = {
  DBInstanceIdentifier: 'prod-aurora-1',
  DBClusterIdentifier: 'prod-aurora',
  Engine: 'aurora-postgresql',
  DBInstanceClass: 'db.r6g.xlarge',
  DBInstanceStatus: 'available',
  DBParameterGroups: [{ DBParameterGroupName: 'aurora-pg15-instance' }],
};

/** Options of {@link fakeRds}. */
export interface FakeRdsOptions {
  readonly instances?: DBInstance[];
  readonly clusters?: DBCluster[];
  readonly snapshots?: DBSnapshot[];
  readonly clusterSnapshots?: DBClusterSnapshot[];
  /** Statuses a created instance shows, one per describe; the last one stays; `throttled`: that describe fails with ThrottlingException. */
  readonly instanceStatuses?: string[];
  readonly clusterStatuses?: string[];
  /** Where created instances can be reached (a local PostgreSQL in data-path tests). */
  readonly endpoint?: { Address: string; Port: number };
}

/** A mocked RDS account (aws-sdk-client-mock) that remembers what was created and deleted, as RDS would. */
export interface FakeRds {
  readonly mock: AwsStub<any, any, any>;
  readonly client: RDSClient;
  /** Identifiers created, in order (instances and clusters). */
  readonly created: string[];
  /** Identifiers deleted, in order. */
  readonly deleted: string[];
  /** Inputs of every create call (Restore…, CreateDBInstance), in order. */
  readonly createInputs: Array<Record<string, any>>;
  /** Instances and clusters that exist now, created ones included. */
  readonly instances: Map<string, DBInstance>;
  readonly clusters: Map<string, DBCluster>;
}

const meta = { $metadata: {} };

/** A new RDS client with static credentials (never the machine's) and a fake of the account behind it. */
export function fakeRds(options: FakeRdsOptions = {}): FakeRds {
  const client = new RDSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const instances = new Map((options.instances ?? [SOURCE_INSTANCE]).map((i) => [i.DBInstanceIdentifier!, i]));
  const clusters = new Map((options.clusters ?? []).map((c) => [c.DBClusterIdentifier!, c]));
  const progress = new Map<string, string[]>();
  const fake: FakeRds = { mock, client, created: [], deleted: [], createInputs: [], instances, clusters };
  const endpoint = options.endpoint ?? { Address: 'pgsr.abc123.eu-west-1.rds.amazonaws.com', Port: 5432 };
  const status = (id: string): string | undefined => {
    const left = progress.get(id);
    return left && left.length > 1 ? left.shift() : left?.[0];
  };
  const instanceNotFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, ...meta });
  const clusterNotFound = (id: string) => new DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, ...meta });
  const describeInstance = (id: string): DBInstance => {
    const instance = instances.get(id);
    if (!instance) throw instanceNotFound(id);
    const now = progress.has(id) ? status(id) : instance.DBInstanceStatus;
    if (now === 'throttled') throw new RDSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta });
    return { ...instance, DBInstanceStatus: now, Endpoint: now === 'available' || !progress.has(id) ? instance.Endpoint : undefined };
  };
  mock.on(DescribeDBInstancesCommand).callsFake(async (input) => ({
    DBInstances: input.DBInstanceIdentifier ? [describeInstance(input.DBInstanceIdentifier)] : [...instances.keys()].map(describeInstance),
  }));
  mock.on(DescribeDBClustersCommand).callsFake(async (input) => {
    const id = input.DBClusterIdentifier;
    if (id && !clusters.has(id)) throw clusterNotFound(id);
    const one = (c: DBCluster) => ({ ...c, Status: progress.has(c.DBClusterIdentifier!) ? status(c.DBClusterIdentifier!) : c.Status });
    return { DBClusters: id ? [one(clusters.get(id)!)] : [...clusters.values()].map(one) };
  });
  mock.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake(async (input) => ({
    DBInstanceAutomatedBackups: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, Status: 'active', RestoreWindow: { EarliestTime: EARLIEST, LatestTime: LATEST } }],
  }));
  mock.on(DescribeDBSnapshotsCommand).callsFake(async (input) => {
    const found = (options.snapshots ?? []).filter((s) => s.DBSnapshotIdentifier === input.DBSnapshotIdentifier);
    if (found.length === 0) throw new DBSnapshotNotFoundFault({ message: `DBSnapshot ${input.DBSnapshotIdentifier} not found.`, ...meta });
    return { DBSnapshots: found };
  });
  mock.on(DescribeDBClusterSnapshotsCommand).callsFake(async (input) => {
    const found = (options.clusterSnapshots ?? []).filter((s) => s.DBClusterSnapshotIdentifier === input.DBClusterSnapshotIdentifier);
    if (found.length === 0) throw new DBClusterSnapshotNotFoundFault({ message: `DBClusterSnapshot ${input.DBClusterSnapshotIdentifier} not found.`, ...meta });
    return { DBClusterSnapshots: found };
  });
  const createInstance = async (input: Record<string, any>) => {
    const id = input.DBInstanceIdentifier ?? input.TargetDBInstanceIdentifier;
    fake.created.push(id);
    fake.createInputs.push(input);
    const cluster = input.DBClusterIdentifier ? clusters.get(input.DBClusterIdentifier) : undefined;
    const member = { DBInstanceIdentifier: id, IsClusterWriter: true };
    if (cluster) clusters.set(cluster.DBClusterIdentifier!, { ...cluster, DBClusterMembers: [...cluster.DBClusterMembers ?? [], member] });
    const instance = {
      DBInstanceIdentifier: id, DBClusterIdentifier: input.DBClusterIdentifier, DBInstanceClass: input.DBInstanceClass, DBInstanceStatus: 'creating', Endpoint: endpoint, TagList: input.Tags,
    };
    instances.set(id, instance);
    progress.set(id, [...options.instanceStatuses ?? ['creating', 'backing-up', 'available']]);
    return { DBInstance: instance };
  };
  const createCluster = async (input: Record<string, any>) => {
    const id = input.DBClusterIdentifier;
    fake.created.push(id);
    fake.createInputs.push(input);
    const cluster = { DBClusterIdentifier: id, Engine: 'aurora-postgresql', Status: 'creating', DBClusterMembers: [], TagList: input.Tags };
    clusters.set(id, cluster);
    progress.set(id, [...options.clusterStatuses ?? ['creating', 'available']]);
    return { DBCluster: cluster };
  };
  mock.on(RestoreDBInstanceToPointInTimeCommand).callsFake(createInstance);
  mock.on(RestoreDBInstanceFromDBSnapshotCommand).callsFake(createInstance);
  mock.on(CreateDBInstanceCommand).callsFake(createInstance);
  mock.on(RestoreDBClusterToPointInTimeCommand).callsFake(createCluster);
  mock.on(RestoreDBClusterFromSnapshotCommand).callsFake(createCluster);
  mock.on(DeleteDBInstanceCommand).callsFake(async (input) => {
    const id = input.DBInstanceIdentifier;
    if (!instances.has(id)) throw instanceNotFound(id);
    fake.deleted.push(id);
    instances.delete(id);
    for (const [cid, c] of clusters) clusters.set(cid, { ...c, DBClusterMembers: c.DBClusterMembers?.filter((m) => m.DBInstanceIdentifier !== id) });
    return { DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'deleting' } };
  });
  mock.on(DeleteDBClusterCommand).callsFake(async (input) => {
    const id = input.DBClusterIdentifier;
    const cluster = clusters.get(id);
    if (!cluster) throw clusterNotFound(id);
    // As RDS: a cluster with instances (not being deleted) cannot be deleted.
    if ((cluster.DBClusterMembers ?? []).length > 0) throw new InvalidDBClusterStateFault({ message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.', ...meta });
    fake.deleted.push(id);
    clusters.delete(id);
    return { DBCluster: { DBClusterIdentifier: id, Status: 'deleting' } };
  });
  return fake;
}
