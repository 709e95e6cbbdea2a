import type { Client } from 'pg';
import { inTransaction } from '../connection/in-transaction';
import { describeHolders, isLockNotAvailable, lockHolders, retryLockWaits } from '../ddl/lock-retry';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../ddl/target-session';
import { LockTimeoutError } from '../errors';
import { formatDuration } from '../format-units';
import type { Abortable } from '../run-options';

/** Options of {@link withConsistentRead}. */
export interface ConsistentReadOptions extends Abortable {
  /** Relations to lock in ACCESS SHARE mode before the snapshot, as FROM items (`ONLY "s"."t"`). */
  readonly relations: readonly string[];
  /** Schemas the relations are in, for naming who holds a conflicting lock. */
  readonly schemas: readonly string[];
  /** How long to wait for the locks per attempt; retried after pauses. @default 2000 */
  readonly lockTimeoutMs?: number;
  /** Pauses between attempts, in ms. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
}

async function lockTimeoutError(client: Client, options: ConsistentReadOptions, lockTimeoutMs: number, err: unknown, tries: number): Promise<Error> {
  for (const schema of options.schemas) {
    const holders = await lockHolders(client, { schema, mode: 'AccessShareLock' }).catch(() => []);
    if (holders.length === 0) continue;
    return new LockTimeoutError(`reading the tables of "${schema}" needs an ACCESS SHARE lock, which could not be had within ` +
      `${formatDuration(lockTimeoutMs)} in ${tries} tries: ${describeHolders(holders)}; end or commit that session, or retry with a longer --lock-timeout`,
    schema, holders, { cause: err });
  }
  return new LockTimeoutError(`reading the tables of "${options.schemas.join('" and "')}" needs ACCESS SHARE locks, which could not be had within ` +
    `${formatDuration(lockTimeoutMs)} in ${tries} tries: ${describeHolders([])}; retry`, options.schemas[0], [], { cause: err });
}

/**
 * Run `work` in a REPEATABLE READ READ ONLY transaction, so every query sees the same instant, after
 * taking ACCESS SHARE locks on the relations (as pg_dump does: they never block readers or writers,
 * only DDL that would rewrite a table under the snapshot). The wait for the locks is bounded by
 * `lock_timeout` (set for this transaction only) and retried after pauses; `row_security` is off, so
 * row-level security never hides rows silently (a table it would filter is an error instead); after the last try a
 * {@link LockTimeoutError} names the sessions in the way. Nothing is written; the transaction ends.
 *
 * @example
 * const n = await withConsistentRead(client, { relations: ['ONLY "a"."t"'], schemas: ['a'] }, () => client.query('SELECT count(*) FROM a.t'));
 */
export async function withConsistentRead<T>(client: Client, options: ConsistentReadOptions, work: () => Promise<T>): Promise<T> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  // LOCK takes no snapshot: the snapshot of REPEATABLE READ starts with work's first query, after the locks.
  return retryLockWaits(() => inTransaction(client, async () => {
    // row_security off, as pg_dump: a table whose policies would hide rows from this role fails instead of diffing a part of it.
    await client.query('SELECT set_config(\'lock_timeout\', $1, true), set_config(\'row_security\', \'off\', true)', [`${lockTimeoutMs}ms`]);
    if (options.relations.length > 0) await client.query(`LOCK TABLE ${options.relations.join(', ')} IN ACCESS SHARE MODE`);
    return work();
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'), {
    signal: options.signal,
    pausesMs: options.pausesMs,
    isLockWait: isLockNotAvailable,
    giveUp: (err, tries) => lockTimeoutError(client, options, lockTimeoutMs, err, tries),
  });
}
