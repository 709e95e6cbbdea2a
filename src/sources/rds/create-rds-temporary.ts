import type { DBInstance, RDSClient, Tag } from '@aws-sdk/client-rds';
import { temporaryClusterInstanceRequest, temporaryRestoreRequest } from './temporary-requests';
import { RdsRestorePlan } from './validate-rds-restore';
import { explainAwsResourceError } from '../../aws/explain-aws-error';
import { Ledger } from '../../aws/ledger';
import { waitForDBClusterAvailable, waitForDBInstanceAvailable, WaitForRdsOptions } from '../../aws/rds-waiters';
import { AwsWaitOptions } from '../../aws/run-waiter';
import { rdsSdk } from '../../aws/sdk';
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
      const described = await rds.send(new rdsSdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: plan.sourceId }), call);
      return described.DBInstances?.[0]?.LatestRestorableTime;
    }
    return (await rds.send(new rdsSdk.DescribeDBClustersCommand({ DBClusterIdentifier: plan.sourceId }), call)).DBClusters?.[0]?.LatestRestorableTime;
  } catch (err) {
    throw explainAwsResourceError('rds', err, `read the latest restorable time of "${plan.sourceId}"`, plan.sourceId);
  }
}

/** Send a create call (never aborted in flight: a resource must not exist unrecorded); on success write it down before anything else can fail. */
async function create(options: CreateRdsTemporaryOptions, kind: 'rds-instance' | 'rds-cluster', id: string, send: () => Promise<unknown>): Promise<void> {
  const what = kind === 'rds-instance' ? 'DB instance' : 'DB cluster';
  options.emit?.({ type: 'log', level: 'info', message: `creating the temporary ${what} ${id} from "${options.plan.sourceId}"` });
  try {
    await send();
  } catch (err) {
    throw explainAwsResourceError('rds', err, `create the temporary ${what} ${id} from "${options.plan.sourceId}"`, id);
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
  // Internal invariant, never reaches a user: the RDS deleters ask only for the RDS client.
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
  const restore = temporaryRestoreRequest(plan, options.restoreId, tags);
  await create(options, restore.kind, restore.id, () => restore.send(rds));
  if (restore.kind === 'rds-instance') return { instance: await waitForDBInstanceAvailable(restore.id, waitOptions(options, restore.id)), restorePoint };
  const clusterId = restore.id;
  await waitForDBClusterAvailable(clusterId, waitOptions(options, clusterId));
  const member = temporaryClusterInstanceRequest(plan, options.restoreId, tags);
  await create(options, member.kind, member.id, () => member.send(rds));
  return { instance: await waitForDBInstanceAvailable(member.id, waitOptions(options, member.id)), clusterId, restorePoint };
}
