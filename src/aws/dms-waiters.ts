import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { AwsWaitOptions, AwsWaitOutcome, runAwsWaiter, SdkWaiter } from './run-waiter';

/** How long and how often to poll DMS: the same knobs as for RDS (defaults: 15 s backing off to 60 s, one hour per wait). */
export type DmsWaitOptions = AwsWaitOptions;

/** Options of the DMS `waitFor…` functions. */
export interface WaitForDmsOptions {
  readonly dms: DatabaseMigrationServiceClient;
  readonly wait?: DmsWaitOptions;
  readonly signal?: AbortSignal;
  /** Told every status change, with all statuses seen so far: `['creating', 'available']`. */
  readonly onStatus?: (trail: readonly string[]) => void;
}

/** How a wait ended: the goal was reached, or the resource entered a state from which it cannot (`failed`, `stopped`, …). */
export type DmsWaitOutcome = Pick<AwsWaitOutcome, 'reached' | 'status'>;

/** The shape of the SDK's `waitUntil…` functions of DMS. */
export type DmsWaiter<I> = SdkWaiter<DatabaseMigrationServiceClient, I>;

/**
 * Run one of the SDK's DMS waiters (`waitUntilReplicationInstanceAvailable`, …) through
 * {@link runAwsWaiter}. Reaching the goal and reaching a state the waiter calls a failure both
 * return (the caller knows what a `failed` task means); a describe call that failed before any
 * status was read is rethrown.
 *
 * @example
 * const { reached, status } = await runDmsWaiter(waitUntilReplicationTaskReady,
 *   { Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }, arn, 'ready', (o) => taskStatusOf(o), { dms, signal });
 */
export async function runDmsWaiter<I>(waiter: DmsWaiter<I>, input: I, id: string, goal: string,
  statusOf: (output: unknown) => string | undefined, options: WaitForDmsOptions): Promise<DmsWaitOutcome> {
  const outcome = await runAwsWaiter({
    waiter,
    client: options.dms,
    input,
    id,
    goal,
    statusOf,
    wait: options.wait,
    defaultMaxWaitSeconds: 3600,
    service: { console: 'DMS', maxWaitOption: 'dms.wait.maxWaitSeconds' },
    signal: options.signal,
    onStatus: options.onStatus,
  });
  if (!outcome.reached && outcome.status === undefined) throw outcome.reason; // not a state the waiter judged: the describe call itself failed
  return { reached: outcome.reached, status: outcome.status };
}
