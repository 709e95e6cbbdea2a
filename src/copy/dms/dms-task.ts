import type {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommandOutput,
  ReplicationTask,
  Tag,
} from '@aws-sdk/client-database-migration-service';
import { DmsTableMappings } from './dms-table-mappings';
import { DmsWaitOutcome, runDmsWaiter, WaitForDmsOptions } from '../../aws/dms-waiters';
import { explainAwsResourceError } from '../../aws/explain-aws-error';
import { dmsSdk } from '../../aws/sdk';
import { AwsResourceError } from '../../errors';

/** Options of {@link createFullLoadTask}. */
export interface CreateFullLoadTaskOptions {
  readonly dms: DatabaseMigrationServiceClient;
  /** `pgsr-<restoreId>-<n>`. */
  readonly identifier: string;
  readonly instanceArn: string;
  readonly sourceEndpointArn: string;
  readonly targetEndpointArn: string;
  readonly tableMappings: DmsTableMappings;
  /** From {@link dmsTaskSettings}. */
  readonly settings: Record<string, unknown>;
  readonly tags: Tag[];
  readonly signal?: AbortSignal;
}

/**
 * Create a full-load-only replication task and return its ARN as soon as the create call returns
 * (it is `creating` then; wait with {@link waitForReplicationTaskReady}).
 *
 * @example
 * const arn = await createFullLoadTask({ dms, identifier: 'pgsr-3f2a-0', instanceArn, sourceEndpointArn, targetEndpointArn,
 *   tableMappings: dmsTableMappings({ source: 'customer_a1', target: 'pgsr_3f2a_0' }), settings: dmsTaskSettings({ lob }), tags });
 */
export async function createFullLoadTask(options: CreateFullLoadTaskOptions): Promise<string> {
  const { dms, identifier } = options;
  try {
    const out = await dms.send(new dmsSdk.CreateReplicationTaskCommand({
      ReplicationTaskIdentifier: identifier,
      ReplicationInstanceArn: options.instanceArn,
      SourceEndpointArn: options.sourceEndpointArn,
      TargetEndpointArn: options.targetEndpointArn,
      MigrationType: 'full-load',
      TableMappings: JSON.stringify(options.tableMappings),
      ReplicationTaskSettings: JSON.stringify(options.settings),
      Tags: options.tags,
    }), { abortSignal: options.signal });
    const arn = out.ReplicationTask?.ReplicationTaskArn;
    if (!arn) throw new AwsResourceError(identifier, `CreateReplicationTask returned no ARN for ${identifier}; delete it in the DMS console and retry`);
    return arn;
  } catch (err) {
    throw explainAwsResourceError('dms', err, `create the replication task ${identifier}`, identifier);
  }
}

const byArn = (arn: string) => ({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] });
const taskStatus = (o: unknown) => (o as DescribeReplicationTasksCommandOutput | undefined)?.ReplicationTasks?.[0]?.Status;

/**
 * Read a replication task: status, stop reason, last failure and load statistics (one DescribeReplicationTasks call).
 *
 * @example
 * const { Status, StopReason, ReplicationTaskStats } = await checkReplicationTask(dms, arn);
 */
export async function checkReplicationTask(dms: DatabaseMigrationServiceClient, arn: string): Promise<ReplicationTask> {
  const task = (await dms.send(new dmsSdk.DescribeReplicationTasksCommand(byArn(arn)))).ReplicationTasks?.[0];
  if (!task) throw new AwsResourceError(arn, `replication task ${arn} was not found; it was deleted while in use — retry the restore`);
  return task;
}

/**
 * Wait, with the SDK's `waitUntilReplicationTaskReady`, until a new task is `ready`; a task that
 * fails to be created throws one line with DMS's reason.
 *
 * @example
 * await waitForReplicationTaskReady(arn, { dms, signal });
 */
export async function waitForReplicationTaskReady(arn: string, options: WaitForDmsOptions): Promise<void> {
  const { reached, status } = await runDmsWaiter(dmsSdk.waitUntilReplicationTaskReady, byArn(arn), arn, 'ready', taskStatus, options);
  if (reached) return;
  const reason = (await checkReplicationTask(options.dms, arn).catch(() => undefined))?.LastFailureMessage ?? 'no reason given';
  throw new AwsResourceError(arn, `replication task ${arn} is "${status}" instead of ready: ${reason}; check its table mappings and settings, then retry`);
}

/**
 * Wait until a started (or stopping) task has stopped: the SDK's `waitUntilReplicationTaskRunning`
 * first — its sibling `…Stopped` counts `starting` as a failure — then `waitUntilReplicationTaskStopped`.
 * A task that fails, or stops before the first poll, ends the wait too: read it with {@link checkReplicationTask}.
 *
 * @example
 * const { status } = await waitForReplicationTaskStopped(arn, { dms, wait: { maxWaitSeconds: 86_400 }, signal });
 */
export async function waitForReplicationTaskStopped(arn: string, options: WaitForDmsOptions): Promise<DmsWaitOutcome> {
  const running = await runDmsWaiter(dmsSdk.waitUntilReplicationTaskRunning, byArn(arn), arn, 'running', taskStatus, options);
  if (running.status === 'stopped') return { reached: true, status: 'stopped' };
  if (!running.reached && running.status !== 'stopping') return running;
  return runDmsWaiter(dmsSdk.waitUntilReplicationTaskStopped, byArn(arn), arn, 'stopped', taskStatus, options);
}

/**
 * Start a ready full-load task, wait until it stops, and return it as DMS describes it then
 * (Status, StopReason, LastFailureMessage, ReplicationTaskStats). Judging the outcome is the caller's.
 *
 * @example
 * const task = await runFullLoadTask(arn, { dms, signal, onStatus: (t) => log(t.at(-1)) });
 */
export async function runFullLoadTask(arn: string, options: WaitForDmsOptions): Promise<ReplicationTask> {
  try {
    await options.dms.send(new dmsSdk.StartReplicationTaskCommand({ ReplicationTaskArn: arn, StartReplicationTaskType: 'start-replication' }),
      { abortSignal: options.signal });
  } catch (err) {
    throw explainAwsResourceError('dms', err, `start the replication task ${arn}`, arn);
  }
  await waitForReplicationTaskStopped(arn, options);
  return checkReplicationTask(options.dms, arn);
}

/**
 * Wait, with the SDK's `waitUntilReplicationTaskDeleted`, until a task is gone.
 *
 * @example
 * await waitForReplicationTaskDeleted(arn, { dms });
 */
export async function waitForReplicationTaskDeleted(arn: string, options: WaitForDmsOptions): Promise<void> {
  const { reached, status } = await runDmsWaiter(dmsSdk.waitUntilReplicationTaskDeleted, byArn(arn), arn, 'deleted', taskStatus, options);
  if (!reached) throw new AwsResourceError(arn, `replication task ${arn} is "${status}" instead of being deleted; delete it in the DMS console`);
}
