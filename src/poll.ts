import { AbortedError } from './errors';
import { abortableSleep } from './sleep';

/** What one look of a {@link poll} found: done, with the value to return, or not yet. */
export type PollCheck<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/** A look that found the wait over, with the value {@link poll} returns. */
export function pollDone<T>(value: T): PollCheck<T> {
  return { done: true, value };
}

/** A look that found the wait not over yet. */
export const POLL_NOT_YET: PollCheck<never> = { done: false };

/** Options of {@link poll}. */
export interface PollOptions<T> {
  /** One look: done (with a value) or not yet. A throw ends the poll with that error. */
  readonly check: () => Promise<PollCheck<T>>;
  /** First delay between looks. */
  readonly minDelayMs: number;
  /** Longest delay: each delay is the last one times `backoff`, up to this. */
  readonly maxDelayMs: number;
  /** @default 2 */
  readonly backoff?: number;
  /** Give up when the next look would come later than this after the start. */
  readonly timeoutMs: number;
  /** The error thrown at the deadline. */
  readonly timeoutError: () => Error;
  /** Ends the poll with an {@link AbortedError}, before a look or during a sleep. */
  readonly signal?: AbortSignal;
  /** Replaced in tests; need not listen to the signal (an abort ends a sleep anyway). @default setTimeout, cut short by the signal */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds, replaced in tests. @default Date.now */
  readonly now?: () => number;
  /** Told before each sleep, i.e. only when there will be another look (e.g. to say that a failed attempt is retried). */
  readonly beforeSleep?: (delayMs: number) => void;
}

/** Sleep, but reject with an AbortedError as soon as the signal fires, whatever the sleep does. */
function sleepUnlessAborted(ms: number, sleep: (ms: number) => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Look until a check says done, sleeping between looks with exponential backoff (`minDelayMs`,
 * times `backoff`, up to `maxDelayMs`), the shape of smithy's `util-waiter` poller: the first look
 * is immediate; when the next one would come after the deadline, `timeoutError()` is thrown; an
 * abort throws an {@link AbortedError} promptly, also in the middle of a sleep.
 *
 * @example
 * const state = await poll({
 *   check: async () => ((await checkPromotion(cluster)) === 'promoted' ? pollDone('promoted') : POLL_NOT_YET),
 *   minDelayMs: 50, maxDelayMs: 1000, backoff: 1.5, timeoutMs: 60_000,
 *   timeoutError: () => new ToolError('recovery did not finish within 1 min'), signal,
 * });
 */
export async function poll<T>(options: PollOptions<T>): Promise<T> {
  const { signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, signal));
  const deadline = now() + options.timeoutMs;
  for (let delay = options.minDelayMs; ; delay = Math.min(delay * (options.backoff ?? 2), options.maxDelayMs)) {
    if (signal?.aborted) throw new AbortedError();
    const look = await options.check();
    if (look.done) return look.value;
    if (now() + delay > deadline) throw options.timeoutError();
    options.beforeSleep?.(delay);
    await sleepUnlessAborted(delay, sleep, signal);
  }
}
