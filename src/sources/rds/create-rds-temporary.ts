import {
  CreateDBInstanceCommand,
  DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  Tag,
} from '@aws-sdk/client-rds';
import { explainRdsError } from './rds-errors';
import { temporaryIdentifier } from './rds-tags';
import { RdsRestorePlan } from './validate-rds-restore';
import { AwsWaitOptions, waitForDBClusterAvailable, waitForDBInstanceAvailable, WaitForRdsOptions } from './wait-for-rds';
import { Ledger } from '../../cleanup/ledger';
import { RESOURCE_DELETERS } from '../../cleanup/resource-deleters';
import { AwsResourceError } from '../../errors';
import { ProgressListener } from '../../progress';

/** Options of {@link createRdsTemporary}. */
export interface CreateRdsTemporaryOptions {
  readonly rds: RDSClient;
  readonly plan: RdsRestorePlan;
  readonly restoreId: string;
  /** Put on everything created. */
  readonly tags: Tag[];
  /** Each resource is recorded here the moment its create call returns. */
  readonly ledger: Ledger;
  readonly wait?: AwsWaitOptions;
  readonly emit?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** The temporary database, available: the instance to connect to and the moment its data is from. */
export interface RdsTemporary {
  readonly instance: DBInstance;
  /** The temporary Aurora cluster the instance belongs to. */
  readonly clusterId?: string;
  /** The restore time, the snapshot's creation time, or the latest restorable time read just before the restore. */
  readonly restorePoint?: Date;
}

/** The source's latest restorable time, read just before restoring to it, so the report names the moment restored. */
async function latestRestorableTime(rds: RDSClient, plan: RdsRestorePlan, signal?: AbortSignal): Promise<Date | undefined> {
  try {
    const call = { abortSignal: signal };
    if (plan.sourceType === 'instance') {
      return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: plan.sourceId }), call)).DBInstances?.[0]?.LatestRestorableTime;
    }
    return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: plan.sourceId }), call)).DBClusters?.[0]?.LatestRestorableTime;
  } catch (err) {
    throw explainRdsError(err, `read the latest restorable time of "${plan.sourceId}"`, plan.sourceId);
  }
}

/** Send a create call (never aborted in flight: a resource must not exist unrecorded); on success write it down before anything else can fail. */
async function create(options: CreateRdsTemporaryOptions, kind: 'rds-instance' | 'rds-cluster', id: string, send: () => Promise<unknown>): Promise<void> {
  const what = kind === 'rds-instance' ? 'DB instance' : 'DB cluster';
  options.emit?.({ type: 'log', level: 'info', message: `creating the temporary ${what} ${id} from "${options.plan.sourceId}"` });
  try {
    await send();
  } catch (err) {
    throw explainRdsError(err, `create the temporary ${what} ${id} from "${options.plan.sourceId}"`, id);
  }
  try {
    await options.ledger.record({ kind, id });
  } catch (err) {
    // It exists but is written down nowhere: delete it now, or it would outlive the restore unnoticed.
    const deleter = RESOURCE_DELETERS[kind]!;
    const context = { rds: () => options.rds, secretsManager: notNeeded, dms: notNeeded, waitForDeletion: false };
    const deleted = await deleter.delete(id, context).then(() => true, () => false);
    throw new AwsResourceError(id, `cannot record ${id} in the resource ledger (${(err as Error).message}); ` +
      `${deleted ? 'it was deleted again' : `delete it by hand (${deleter.manual(id)})`}; check where the ledger is stored and retry`, { cause: err });
  }
}

const notNeeded = (): never => {
  throw new Error('only the RDS client is needed to delete an RDS resource');
};

function waitOptions(options: CreateRdsTemporaryOptions, id: string): WaitForRdsOptions {
  return {
    ...options.wait,
    rds: options.rds,
    signal: options.signal,
    onStatus: (trail) => options.emit?.({ type: 'log', level: 'info', message: `${id}: ${trail.join(' → ')}` }),
  };
}

/**
 * Restore the temporary database of a checked plan and wait until it is available: an RDS instance
 * restored to a time or from a snapshot, or an Aurora cluster restored likewise plus one instance
 * in it. Private, without deletion protection, tagged; each resource enters the ledger as soon as
 * it exists. Does not clean up on failure — the caller deletes what the ledger holds.
 *
 * @example
 * const temporary = await createRdsTemporary({ rds, plan, restoreId: 'r1', tags: restoreTags({ restoreId: 'r1', now: new Date() }), ledger });
 * console.log(temporary.instance.Endpoint?.Address);
 */
export async function createRdsTemporary(options: CreateRdsTemporaryOptions): Promise<RdsTemporary> {
  const { rds, plan, tags, signal } = options;
  const method = plan.method;
  const restorePoint = method.type === 'time' ? method.restoreTime
    : method.type === 'snapshot' ? method.createdAt
      : await latestRestorableTime(rds, plan, signal);
  const when = method.type === 'time' ? { time: method.restoreTime } : { latest: true as const };
  const instanceSettings = {
    DBInstanceClass: plan.instanceClass,
    PubliclyAccessible: false,
    CopyTagsToSnapshot: false,
    DBParameterGroupName: plan.parameterGroup,
    Tags: tags,
  };
  const instanceId = temporaryIdentifier(options.restoreId, plan.sourceType === 'cluster' ? '1' : undefined);
  if (plan.sourceType === 'instance') {
    const settings = {
      ...instanceSettings, DBSubnetGroupName: plan.subnetGroup, VpcSecurityGroupIds: plan.securityGroupIds, DeletionProtection: false, MultiAZ: false,
    };
    await create(options, 'rds-instance', instanceId, () => (method.type === 'snapshot'
      ? rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
        ...settings, DBInstanceIdentifier: instanceId, DBSnapshotIdentifier: method.snapshotId,
      }))
      : rds.send(new RestoreDBInstanceToPointInTimeCommand({
        ...settings,
        SourceDBInstanceIdentifier: plan.sourceId,
        TargetDBInstanceIdentifier: instanceId,
        RestoreTime: when.time,
        UseLatestRestorableTime: when.latest,
      }))));
    return { instance: await waitForDBInstanceAvailable(instanceId, waitOptions(options, instanceId)), restorePoint };
  }
  const clusterId = temporaryIdentifier(options.restoreId);
  const clusterSettings = {
    DBClusterIdentifier: clusterId,
    DBSubnetGroupName: plan.subnetGroup,
    VpcSecurityGroupIds: plan.securityGroupIds,
    DBClusterParameterGroupName: plan.clusterParameterGroup,
    ServerlessV2ScalingConfiguration: plan.serverless,
    DeletionProtection: false,
    CopyTagsToSnapshot: false,
    Tags: tags,
  };
  await create(options, 'rds-cluster', clusterId, () => (method.type === 'snapshot'
    ? rds.send(new RestoreDBClusterFromSnapshotCommand({
      ...clusterSettings, SnapshotIdentifier: method.snapshotId, Engine: method.engine ?? plan.engine, EngineVersion: method.engineVersion,
    }))
    : rds.send(new RestoreDBClusterToPointInTimeCommand({
      ...clusterSettings, SourceDBClusterIdentifier: plan.sourceId, RestoreType: 'full-copy', RestoreToTime: when.time, UseLatestRestorableTime: when.latest,
    }))));
  await waitForDBClusterAvailable(clusterId, waitOptions(options, clusterId));
  await create(options, 'rds-instance', instanceId, () => rds.send(new CreateDBInstanceCommand({
    ...instanceSettings, DBInstanceIdentifier: instanceId, DBClusterIdentifier: clusterId, Engine: plan.engine,
  })));
  return { instance: await waitForDBInstanceAvailable(instanceId, waitOptions(options, instanceId)), clusterId, restorePoint };
}
