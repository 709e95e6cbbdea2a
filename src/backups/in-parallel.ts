/**
 * Run `work` on every item, `jobs` at a time, results in the items' order. The first failure stops
 * the others (through the signal they get) and is thrown once all have stopped, so nothing still
 * writes when the caller cleans up.
 *
 * @example
 * const sizes = await inParallel(schemas, 4, signal, (schema, stop) => dumpOne(schema, stop));
 */
export async function inParallel<T, R>(items: readonly T[], jobs: number, outer: AbortSignal | undefined,
  work: (item: T, signal: AbortSignal) => Promise<R>): Promise<R[]> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const results: R[] = [];
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      try {
        results[index] = await work(items[index], signal);
      } catch (error) {
        failure ??= { error };
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (failure) throw failure.error;
  outer?.throwIfAborted();
  return results;
}

/**
 * Both results once both are done; else the first failure, thrown only once neither still runs
 * (so nothing writes when the caller cleans up).
 *
 * @example
 * const [dumped, fingerprint] = await bothOrFirstFailure([dump(), checksum()] as const);
 */
export async function bothOrFirstFailure<A, B>(work: readonly [Promise<A>, Promise<B>]): Promise<[A, B]> {
  let first: { error: unknown } | undefined;
  const noted = work.map((p) => p.catch((error: unknown) => {
    first ??= { error };
    throw error;
  }));
  const [a, b] = await Promise.allSettled(noted);
  if (first) throw first.error;
  return [(a as PromiseFulfilledResult<A>).value, (b as PromiseFulfilledResult<B>).value];
}
