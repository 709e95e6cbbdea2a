import type {
  DBCluster,
  DBInstance,
  DescribeDBClustersCommandOutput,
  DescribeDBInstancesCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { rdsSdk } from '../../aws-sdk';
import { observingClient } from '../../aws-status-trail';
import { AbortedError, AwsResourceError } from '../../errors';

/** How long and how often to poll AWS. Seconds, as the SDK waiters take them. */
export interface AwsWaitOptions {
  /** Give up after this long. @default 7200 (restoring a large instance takes a while) */
  readonly maxWaitSeconds?: number;
  /** First delay between polls. @default 15 */
  readonly minDelaySeconds?: number;
  /** Longest delay between polls (the SDK backs off up to it). @default 60 */
  readonly maxDelaySeconds?: number;
}

/** Options of the `waitForDB…` functions. */
export interface WaitForRdsOptions extends AwsWaitOptions {
  readonly rds: RDSClient;
  readonly signal?: AbortSignal;
  /** Told every status change, with all statuses seen so far: `['creating', 'backing-up']`. */
  readonly onStatus?: (trail: readonly string[]) => void;
}

type WaiterParams = { client: RDSClient; maxWaitTime: number; minDelay: number; maxDelay: number; abortSignal?: AbortSignal };
type Waiter<I, O> = (params: WaiterParams, input: I) => Promise<{ reason?: O }>;

async function runWaiter<I, O>(waiter: Waiter<I, O>, input: I, id: string, goal: string, statusOf: (o: unknown) => string | undefined,
  options: WaitForRdsOptions): Promise<O | undefined> {
  const [client, trail] = observingClient(options.rds, statusOf, options.onStatus);
  const minDelay = options.minDelaySeconds ?? 15;
  const maxDelay = Math.max(options.maxDelaySeconds ?? 60, minDelay);
  const maxWaitTime = Math.max(options.maxWaitSeconds ?? 7200, minDelay * 2);
  if (options.signal?.aborted) throw new AbortedError();
  try {
    return (await waiter({ client, maxWaitTime, minDelay, maxDelay, abortSignal: options.signal }, input)).reason;
  } catch (err) {
    if (options.signal?.aborted || (err as Error).name === 'AbortError') throw new AbortedError();
    const last = trail.length > 0 ? `status "${trail[trail.length - 1]}"` : 'no status read';
    if ((err as Error).name === 'TimeoutError') {
      throw new AwsResourceError(id, `${id} was not ${goal} after ${maxWaitTime} s (${last}); check it in the RDS console, or allow longer with awsWait.maxWaitSeconds`,
        { cause: err, code: 'AWS_WAIT_TIMEOUT' });
    }
    throw new AwsResourceError(id, `${id} ended in ${last} instead of becoming ${goal}; read its events (aws rds describe-events --source-identifier ${id}) and retry`,
      { cause: err, code: 'AWS_RESOURCE_FAILED' });
  }
}

const instanceStatus = (o: unknown) => (o as DescribeDBInstancesCommandOutput | undefined)?.DBInstances?.[0]?.DBInstanceStatus;
const clusterStatus = (o: unknown) => (o as DescribeDBClustersCommandOutput | undefined)?.DBClusters?.[0]?.Status;

/**
 * Wait, with the SDK's `waitUntilDBInstanceAvailable`, until a DB instance is `available`; returns it.
 * Failed states, the deadline and the signal end the wait with an error.
 *
 * @example
 * const instance = await waitForDBInstanceAvailable('pgsr-r1', { rds, signal, onStatus: (t) => log(t.join(' → ')) });
 */
export async function waitForDBInstanceAvailable(id: string, options: WaitForRdsOptions): Promise<DBInstance> {
  const out = await runWaiter(rdsSdk.waitUntilDBInstanceAvailable, { DBInstanceIdentifier: id }, id, 'available', instanceStatus, options);
  return (out as DescribeDBInstancesCommandOutput | undefined)?.DBInstances?.[0] ?? { DBInstanceIdentifier: id };
}

/**
 * Wait, with the SDK's `waitUntilDBClusterAvailable`, until a DB cluster is `available`; returns it.
 *
 * @example
 * const cluster = await waitForDBClusterAvailable('pgsr-r1', { rds, signal });
 */
export async function waitForDBClusterAvailable(id: string, options: WaitForRdsOptions): Promise<DBCluster> {
  const out = await runWaiter(rdsSdk.waitUntilDBClusterAvailable, { DBClusterIdentifier: id }, id, 'available', clusterStatus, options);
  return (out as DescribeDBClustersCommandOutput | undefined)?.DBClusters?.[0] ?? { DBClusterIdentifier: id };
}

/**
 * Wait, with the SDK's `waitUntilDBInstanceDeleted`, until a DB instance is gone.
 *
 * @example
 * await waitForDBInstanceDeleted('pgsr-r1', { rds });
 */
export async function waitForDBInstanceDeleted(id: string, options: WaitForRdsOptions): Promise<void> {
  await runWaiter(rdsSdk.waitUntilDBInstanceDeleted, { DBInstanceIdentifier: id }, id, 'deleted', instanceStatus, options);
}

/**
 * Wait, with the SDK's `waitUntilDBClusterDeleted`, until a DB cluster is gone.
 *
 * @example
 * await waitForDBClusterDeleted('pgsr-r1', { rds });
 */
export async function waitForDBClusterDeleted(id: string, options: WaitForRdsOptions): Promise<void> {
  await runWaiter(rdsSdk.waitUntilDBClusterDeleted, { DBClusterIdentifier: id }, id, 'deleted', clusterStatus, options);
}
