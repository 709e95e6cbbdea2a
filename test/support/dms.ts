import {
  CreateEndpointCommand, CreateReplicationInstanceCommand, CreateReplicationTaskCommand, DatabaseMigrationServiceClient,
  DeleteEndpointCommand, DeleteReplicationInstanceCommand, DeleteReplicationTaskCommand, DescribeConnectionsCommand,
  DescribeEndpointsCommand, DescribeReplicationInstancesCommand, DescribeReplicationTasksCommand, DescribeTableStatisticsCommand,
  ResourceNotFoundFault, StartReplicationTaskCommand, StopReplicationTaskCommand, TableStatistics, TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { DmsResourceKind, DmsTableMappings } from '../../src/aws';
import { DmsWaitOptions } from '../../src/aws/dms-waiters';

/** Waiter delays that make a test's waits take milliseconds. */
export const FAST_DMS_WAIT: DmsWaitOptions = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, maxWaitSeconds: 10 };

/** A task as the fake's load function sees it. */
export interface FakeTaskRun {
  readonly arn: string;
  readonly identifier: string;
  readonly tableMappings: DmsTableMappings;
  readonly settings: Record<string, any>;
}

/** How a fake task ends. */
export interface FakeTaskEnd {
  readonly statistics: TableStatistics[];
  /** @default 'stopped' */
  readonly status?: string;
  /** @default 'Stop Reason FULL_LOAD_ONLY_FINISHED' */
  readonly stopReason?: string;
  readonly lastFailureMessage?: string;
}

export interface FakeDmsOptions {
  /** Performs (or pretends) the load when StartReplicationTask is called. @default no tables */
  readonly load?: (task: FakeTaskRun) => Promise<FakeTaskEnd> | FakeTaskEnd;
  /** Connection test results per endpoint role. @default both 'successful' */
  readonly connection?: Partial<Record<'source' | 'target', { status: 'successful' | 'failed'; message?: string }>>;
  /** Status the replication instance ends in. @default 'available' */
  readonly instanceEnds?: string;
  /** Make the n-th call (1-based, default 1) of a command fail with this error. */
  readonly failOn?: { readonly command: string; readonly nth?: number; readonly error: Error };
}

interface FakeResource {
  readonly kind: DmsResourceKind;
  readonly identifier: string;
  /** Statuses the next describes return; the last one stays. */
  statuses: string[];
  deleted?: boolean;
  tags?: unknown;
  end?: FakeTaskEnd;
  role?: 'source' | 'target';
}

export interface FakeDms {
  readonly client: DatabaseMigrationServiceClient;
  readonly mock: AwsStub<any, any, any>;
  /** Every resource ever created, by ARN. */
  readonly resources: Map<string, FakeResource>;
  /** Names of the commands sent, in order. */
  readonly sent: string[];
  /** ARNs that received their delete call. */
  readonly deleteCalls: string[];
}

const notFound = (what: string) => new ResourceNotFoundFault({ message: `${what} not found`, $metadata: {} });

/**
 * A mocked DMS (aws-sdk-client-mock) that behaves like the service for the calls the engine makes:
 * instances go creating → available, connection tests testing → successful/failed, tasks creating →
 * ready → starting → running → stopped, deletes go through `deleting` to ResourceNotFoundFault.
 * DescribeTableStatistics answers in pages of two.
 */
export function fakeDms(options: FakeDmsOptions = {}): FakeDms {
  const client = new DatabaseMigrationServiceClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const resources = new Map<string, FakeResource>();
  const connections = new Map<string, { status: string[]; message?: string }>();
  const sent: string[] = [];
  const deleteCalls: string[] = [];
  const counts = new Map<string, number>();

  const next = (r: FakeResource): string => (r.statuses.length > 1 ? r.statuses.shift()! : r.statuses[0]);
  const live = (arn: string | undefined, kind: DmsResourceKind): FakeResource => {
    const r = arn === undefined ? undefined : resources.get(arn);
    if (!r || r.kind !== kind) throw notFound(`${kind} ${arn}`);
    if (r.deleted && r.statuses.length <= 1) throw notFound(`${kind} ${arn}`);
    return r;
  };
  const filterArn = (input: { Filters?: { Name: string; Values: string[] }[] }, name: string) =>
    input.Filters?.find((f) => f.Name === name)?.Values[0];
  const on = (command: any, name: string, fn: (input: any) => unknown): void => {
    mock.on(command).callsFake(async (input: any) => {
      sent.push(name);
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      if (options.failOn?.command === name && (options.failOn.nth ?? 1) === n) throw options.failOn.error;
      return fn(input);
    });
  };
  const create = (kind: DmsResourceKind, arnKind: string, identifier: string, statuses: string[], extra: Partial<FakeResource> = {}): string => {
    const arn = `arn:aws:dms:eu-west-1:123456789012:${arnKind}:${identifier.toUpperCase()}`;
    resources.set(arn, { kind, identifier, statuses, ...extra });
    return arn;
  };
  const remove = (arn: string, kind: DmsResourceKind): void => {
    deleteCalls.push(arn);
    const r = live(arn, kind);
    r.deleted = true;
    r.statuses = ['deleting', 'deleting'];
  };

  on(CreateReplicationInstanceCommand, 'CreateReplicationInstance', (input) => ({
    ReplicationInstance: {
      ReplicationInstanceArn: create('dms-replication-instance', 'rep', input.ReplicationInstanceIdentifier,
        ['creating', 'creating', options.instanceEnds ?? 'available'], { tags: input.Tags }),
      ReplicationInstanceStatus: 'creating',
    },
  }));
  on(DescribeReplicationInstancesCommand, 'DescribeReplicationInstances', (input) => {
    const arn = filterArn(input, 'replication-instance-arn');
    return { ReplicationInstances: [{ ReplicationInstanceArn: arn, ReplicationInstanceStatus: next(live(arn, 'dms-replication-instance')) }] };
  });
  on(CreateEndpointCommand, 'CreateEndpoint', (input) => ({
    Endpoint: { EndpointArn: create('dms-endpoint', 'endpoint', input.EndpointIdentifier, ['active'], { tags: input.Tags, role: input.EndpointType }) },
  }));
  on(DescribeEndpointsCommand, 'DescribeEndpoints', (input) => {
    const arn = filterArn(input, 'endpoint-arn');
    return { Endpoints: [{ EndpointArn: arn, Status: next(live(arn, 'dms-endpoint')) }] };
  });
  on(TestConnectionCommand, 'TestConnection', (input) => {
    const endpoint = live(input.EndpointArn, 'dms-endpoint');
    live(input.ReplicationInstanceArn, 'dms-replication-instance');
    const result = options.connection?.[endpoint.role!] ?? { status: 'successful' };
    connections.set(input.EndpointArn, { status: ['testing', 'testing', result.status], message: result.message });
    return { Connection: { EndpointArn: input.EndpointArn, Status: 'testing' } };
  });
  on(DescribeConnectionsCommand, 'DescribeConnections', (input) => {
    const c = connections.get(filterArn(input, 'endpoint-arn')!);
    if (!c) throw notFound('connection');
    const status = c.status.length > 1 ? c.status.shift()! : c.status[0];
    return { Connections: [{ Status: status, ...(status === 'failed' ? { LastFailureMessage: c.message } : {}) }] };
  });
  on(CreateReplicationTaskCommand, 'CreateReplicationTask', (input) => ({
    ReplicationTask: {
      ReplicationTaskArn: create('dms-task', 'task', input.ReplicationTaskIdentifier, ['creating', 'creating', 'ready'], { tags: input.Tags }),
      Status: 'creating',
    },
  }));
  on(StartReplicationTaskCommand, 'StartReplicationTask', async (input) => {
    const task = live(input.ReplicationTaskArn, 'dms-task');
    const created = mock.commandCalls(CreateReplicationTaskCommand).map((c) => c.args[0].input)
      .find((i) => i.ReplicationTaskIdentifier === task.identifier)!;
    task.statuses = ['starting', 'running'];
    task.end = await (options.load ?? (() => ({ statistics: [] })))({
      arn: input.ReplicationTaskArn,
      identifier: task.identifier,
      tableMappings: JSON.parse(created.TableMappings!),
      settings: JSON.parse(created.ReplicationTaskSettings!),
    });
    task.statuses.push('running', task.end.status ?? 'stopped');
    return { ReplicationTask: { ReplicationTaskArn: input.ReplicationTaskArn, Status: 'starting' } };
  });
  on(StopReplicationTaskCommand, 'StopReplicationTask', (input) => {
    const task = live(input.ReplicationTaskArn, 'dms-task');
    task.statuses = ['stopping', 'stopped'];
    return { ReplicationTask: { ReplicationTaskArn: input.ReplicationTaskArn, Status: 'stopping' } };
  });
  on(DescribeReplicationTasksCommand, 'DescribeReplicationTasks', (input) => {
    const arn = filterArn(input, 'replication-task-arn');
    const task = live(arn, 'dms-task');
    const status = next(task);
    const ended = status === (task.end?.status ?? 'stopped') && task.end;
    return {
      ReplicationTasks: [{
        ReplicationTaskArn: arn,
        ReplicationTaskIdentifier: task.identifier,
        Status: status,
        ...(ended ? {
          StopReason: task.end!.stopReason ?? 'Stop Reason FULL_LOAD_ONLY_FINISHED',
          LastFailureMessage: task.end!.lastFailureMessage,
          ReplicationTaskStats: {
            FullLoadProgressPercent: 100,
            TablesLoaded: task.end!.statistics.filter((s) => s.TableState === 'Table completed').length,
            TablesErrored: task.end!.statistics.filter((s) => s.TableState === 'Table error').length,
          },
        } : {}),
      }],
    };
  });
  on(DescribeTableStatisticsCommand, 'DescribeTableStatistics', (input) => {
    const task = live(input.ReplicationTaskArn, 'dms-task');
    const all = task.end?.statistics ?? [];
    const start = input.Marker ? Number(input.Marker) : 0;
    const marker = start + 2 < all.length ? String(start + 2) : undefined;
    return { ReplicationTaskArn: input.ReplicationTaskArn, TableStatistics: all.slice(start, start + 2), Marker: marker };
  });
  on(DeleteReplicationTaskCommand, 'DeleteReplicationTask', (input) => {
    remove(input.ReplicationTaskArn, 'dms-task');
    return { ReplicationTask: { ReplicationTaskArn: input.ReplicationTaskArn, Status: 'deleting' } };
  });
  on(DeleteEndpointCommand, 'DeleteEndpoint', (input) => {
    remove(input.EndpointArn, 'dms-endpoint');
    return { Endpoint: { EndpointArn: input.EndpointArn, Status: 'deleting' } };
  });
  on(DeleteReplicationInstanceCommand, 'DeleteReplicationInstance', (input) => {
    remove(input.ReplicationInstanceArn, 'dms-replication-instance');
    return { ReplicationInstance: { ReplicationInstanceArn: input.ReplicationInstanceArn, ReplicationInstanceStatus: 'deleting' } };
  });
  return { client, mock, resources, sent, deleteCalls };
}

/** A completed table as DescribeTableStatistics reports it. */
export function completedTable(schema: string, table: string, rows: number, state = 'Table completed', errorRows = 0): TableStatistics {
  return {
    SchemaName: schema,
    TableName: table,
    FullLoadRows: rows,
    FullLoadErrorRows: errorRows,
    TableState: state,
    FullLoadStartTime: new Date('2024-01-28T14:30:00Z'),
    FullLoadEndTime: new Date('2024-01-28T14:30:02Z'),
  };
}
