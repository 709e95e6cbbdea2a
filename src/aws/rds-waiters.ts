import type {
  DBCluster,
  DBInstance,
  DescribeDBClustersCommandOutput,
  DescribeDBInstancesCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { AwsWaitOptions, describeStatus, runAwsWaiter, SdkWaiter } from './run-waiter';
import { rdsSdk } from './sdk';
import { AwsResourceError } from '../errors';

/** Options of the `waitForDB…` functions. */
export interface WaitForRdsOptions extends AwsWaitOptions {
  readonly rds: RDSClient;
  readonly signal?: AbortSignal;
  /** Told every status change, with all statuses seen so far: `['creating', 'backing-up']`. */
  readonly onStatus?: (trail: readonly string[]) => void;
}

/** An RDS waiter through {@link runAwsWaiter}: a resource that ends in a failed state is an error here. */
async function runWaiter<I>(waiter: SdkWaiter<RDSClient, I>, input: I, id: string, goal: string, statusOf: (o: unknown) => string | undefined,
  options: WaitForRdsOptions): Promise<unknown> {
  const outcome = await runAwsWaiter({
    waiter,
    client: options.rds,
    input,
    id,
    goal,
    statusOf,
    wait: options,
    defaultMaxWaitSeconds: 7200,
    service: { console: 'RDS', maxWaitOption: 'awsWait.maxWaitSeconds' },
    signal: options.signal,
    onStatus: options.onStatus,
  });
  if (outcome.reached) return outcome.reason;
  throw new AwsResourceError(id, `${id} ended in ${describeStatus(outcome.status)} instead of becoming ${goal}; read its events (aws rds describe-events --source-identifier ${id}) and retry`,
    { cause: outcome.reason, code: 'AWS_RESOURCE_FAILED' });
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
