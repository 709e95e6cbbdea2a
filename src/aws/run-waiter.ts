import { observingClient, SendingClient } from './status-trail';
import { AbortedError, AwsResourceError } from '../errors';

/** How long and how often to poll AWS. Seconds, as the SDK waiters take them (fractions allowed, for tests). */
export interface AwsWaitOptions {
  /** Give up after this long. @default 7200 for RDS (restoring a large instance takes a while), 3600 for DMS */
  readonly maxWaitSeconds?: number;
  /** First delay between polls. @default 15 */
  readonly minDelaySeconds?: number;
  /** Longest delay between polls (the SDK backs off up to it). @default 60 */
  readonly maxDelaySeconds?: number;
}

/** The shape of the SDK's `waitUntil…` functions (`waitUntilDBInstanceAvailable`, `waitUntilReplicationTaskReady`, …). */
export type SdkWaiter<C, I> = (
  params: { client: C; maxWaitTime: number; minDelay: number; maxDelay: number; abortSignal?: AbortSignal },
  input: I,
) => Promise<{ reason?: unknown }>;

/** Options of {@link runAwsWaiter}. */
export interface RunAwsWaiterOptions<C, I> {
  readonly waiter: SdkWaiter<C, I>;
  readonly client: C;
  readonly input: I;
  /** The resource waited for, named in errors. */
  readonly id: string;
  /** What it should become: `available`, `deleted`, `ready`. */
  readonly goal: string;
  /** The status a describe output gives the resource, for the trail and the messages. */
  readonly statusOf: (output: unknown) => string | undefined;
  readonly wait?: AwsWaitOptions;
  /** `maxWaitSeconds` when `wait` does not say. */
  readonly defaultMaxWaitSeconds: number;
  /** For the timeout message: whose console to check and which option allows longer. */
  readonly service: { readonly console: 'RDS' | 'DMS'; readonly maxWaitOption: string };
  readonly signal?: AbortSignal;
  /** Told every status change, with all statuses seen so far: `['creating', 'available']`. */
  readonly onStatus?: (trail: readonly string[]) => void;
}

/** How a wait ended: the goal was reached, or the waiter gave up on the resource (a state such as `failed`, or an error). */
export interface AwsWaitOutcome {
  readonly reached: boolean;
  /** The last status read. */
  readonly status?: string;
  /** The waiter's last describe output when reached; the error it ended with when not. */
  readonly reason?: unknown;
}

/**
 * Run one of the SDK's waiters with our delays, deadline and signal, reporting each new status.
 * The deadline throws an {@link AwsResourceError} (`AWS_WAIT_TIMEOUT`), the signal an
 * {@link AbortedError}; reaching the goal and the waiter giving up both return, so that each
 * service says what a `failed` resource means.
 *
 * @example
 * const { reached, status } = await runAwsWaiter({ waiter: rdsSdk.waitUntilDBInstanceAvailable, client: rds,
 *   input: { DBInstanceIdentifier: id }, id, goal: 'available', statusOf, defaultMaxWaitSeconds: 7200,
 *   service: { console: 'RDS', maxWaitOption: 'awsWait.maxWaitSeconds' }, signal });
 */
export async function runAwsWaiter<C extends SendingClient, I>(options: RunAwsWaiterOptions<C, I>): Promise<AwsWaitOutcome> {
  const { id, wait, signal } = options;
  const [client, trail] = observingClient(options.client, options.statusOf, options.onStatus);
  const minDelay = wait?.minDelaySeconds ?? 15;
  const maxDelay = Math.max(wait?.maxDelaySeconds ?? 60, minDelay);
  const maxWaitTime = Math.max(wait?.maxWaitSeconds ?? options.defaultMaxWaitSeconds, minDelay * 2);
  if (signal?.aborted) throw new AbortedError();
  const last = () => trail[trail.length - 1];
  try {
    const { reason } = await options.waiter({ client, maxWaitTime, minDelay, maxDelay, abortSignal: signal }, options.input);
    return { reached: true, status: last(), reason };
  } catch (err) {
    if (signal?.aborted || (err as Error).name === 'AbortError') throw new AbortedError();
    if ((err as Error).name === 'TimeoutError') {
      const { console, maxWaitOption } = options.service;
      throw new AwsResourceError(id, `${id} was not ${options.goal} after ${maxWaitTime} s (${describeStatus(last())}); ` +
        `check it in the ${console} console, or allow longer with ${maxWaitOption}`, { cause: err, code: 'AWS_WAIT_TIMEOUT' });
    }
    return { reached: false, status: last(), reason: err };
  }
}

/**
 * How a last status reads in a message: `status "failed"`, or `no status read`.
 *
 * @example
 * describeStatus('failed'); // 'status "failed"'
 */
export function describeStatus(status: string | undefined): string {
  return status !== undefined ? `status "${status}"` : 'no status read';
}
