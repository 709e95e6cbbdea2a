import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { observingClient } from '../../aws-status-trail';
import { AbortedError, AwsResourceError } from '../../errors';
import { AwsWaitOptions } from '../../sources/rds/wait-for-rds';

/** How long and how often to poll DMS. Seconds, as the SDK waiters take them (fractions allowed, for tests). */
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
export interface DmsWaitOutcome {
  readonly reached: boolean;
  /** The last status read. */
  readonly status?: string;
}

/** The shape of the SDK's `waitUntil…` functions of DMS. */
export type DmsWaiter<I> = (
  params: { client: DatabaseMigrationServiceClient; maxWaitTime: number; minDelay: number; maxDelay: number; abortSignal?: AbortSignal },
  input: I,
) => Promise<unknown>;

/**
 * Run one of the SDK's DMS waiters (`waitUntilReplicationInstanceAvailable`, …) with our delays,
 * deadline and signal. Reaching the goal and reaching a state the waiter calls a failure both
 * return (the caller knows what a `failed` task means); the deadline throws an
 * {@link AwsResourceError}, the signal an {@link AbortedError}.
 *
 * @example
 * const { reached, status } = await runDmsWaiter(waitUntilReplicationTaskReady,
 *   { Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }, arn, 'ready', (o) => taskStatusOf(o), { dms, signal });
 */
export async function runDmsWaiter<I>(waiter: DmsWaiter<I>, input: I, id: string, goal: string,
  statusOf: (output: unknown) => string | undefined, options: WaitForDmsOptions): Promise<DmsWaitOutcome> {
  const [client, trail] = observingClient(options.dms, statusOf, options.onStatus);
  const minDelay = options.wait?.minDelaySeconds ?? 15;
  const maxDelay = Math.max(options.wait?.maxDelaySeconds ?? 60, minDelay);
  const maxWaitTime = Math.max(options.wait?.maxWaitSeconds ?? 3600, minDelay * 2);
  if (options.signal?.aborted) throw new AbortedError();
  const last = () => trail[trail.length - 1];
  try {
    await waiter({ client, maxWaitTime, minDelay, maxDelay, abortSignal: options.signal }, input);
    return { reached: true, status: last() };
  } catch (err) {
    if (options.signal?.aborted || (err as Error).name === 'AbortError') throw new AbortedError();
    if ((err as Error).name === 'TimeoutError') {
      throw new AwsResourceError(id, `${id} was not ${goal} after ${maxWaitTime} s (${last() ? `status "${last()}"` : 'no status read'}); ` +
        'check it in the DMS console, or allow longer with dms.wait.maxWaitSeconds', { cause: err, code: 'AWS_WAIT_TIMEOUT' });
    }
    if (last() === undefined) throw err; // not a state the waiter judged: the describe call itself failed
    return { reached: false, status: last() };
  }
}
