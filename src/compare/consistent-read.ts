import type { Client } from 'pg';
import type { TableMatch } from './match-tables';
import { inTransaction } from '../connection/in-transaction';
import { isLockNotAvailable, lockHolders, lockTimeoutError, retryLockWaits } from '../ddl/lock-retry';
import { lockRelations, SchemaRelation } from '../ddl/lock-schema-relations';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../ddl/target-session';
import type { Abortable } from '../run-options';

/** Options of {@link withConsistentRead}. */
export interface ConsistentReadOptions extends Abortable {
  /** Tables to lock in ACCESS SHARE mode before the snapshot, as the work reads them (`ONLY` a plain table); listed before, as listing would start the snapshot. */
  readonly relations: readonly SchemaRelation[];
  /** Schemas the relations are in, for naming who holds a conflicting lock. */
  readonly schemas: readonly string[];
  /** How long to wait for the locks per attempt; retried after pauses. @default 2000 */
  readonly lockTimeoutMs?: number;
  /** Pauses between attempts, in ms. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
}

/**
 * The relations a comparison of matched tables reads: each table on the live side and on the restored side.
 *
 * @example
 * const relations = comparedRelations(tables, { live: 'customer_a1', restored: 'customer_a1_20240128143000' });
 */
export function comparedRelations(tables: readonly Pick<TableMatch, 'table' | 'liveKind' | 'restoredKind'>[],
  schemas: { readonly live: string; readonly restored: string }): SchemaRelation[] {
  return tables.flatMap((t) => [
    { schema: schemas.live, name: t.table, kind: t.liveKind }, { schema: schemas.restored, name: t.table, kind: t.restoredKind },
  ]);
}

/** The error after the last try: names the first schema with sessions in the way. */
async function readLockRefusal(client: Client, options: ConsistentReadOptions, lockTimeoutMs: number, err: unknown, tries: number): Promise<Error> {
  const wait = { timeoutMs: lockTimeoutMs, tries, cause: err };
  for (const schema of options.schemas) {
    const holders = await lockHolders(client, { schema, mode: 'AccessShareLock' }).catch(() => []);
    if (holders.length > 0) return lockTimeoutError({ ...wait, action: `reading the tables of "${schema}"`, needs: 'an ACCESS SHARE lock', object: schema, holders });
  }
  return lockTimeoutError({
    ...wait,
    action: `reading the tables of "${options.schemas.join('" and "')}"`,
    needs: 'ACCESS SHARE locks',
    object: options.schemas[0],
    holders: [],
    advice: 'retry',
  });
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
 * const n = await withConsistentRead(client, { relations: [{ schema: 'a', name: 't', kind: 'r' }], schemas: ['a'] }, () => client.query('SELECT count(*) FROM a.t'));
 */
export async function withConsistentRead<T>(client: Client, options: ConsistentReadOptions, work: () => Promise<T>): Promise<T> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  // LOCK takes no snapshot: the snapshot of REPEATABLE READ starts with work's first query, after the locks.
  return retryLockWaits(() => inTransaction(client, async () => {
    // row_security off, as pg_dump: a table whose policies would hide rows from this role fails instead of diffing a part of it.
    await client.query('SELECT set_config(\'lock_timeout\', $1, true), set_config(\'row_security\', \'off\', true)', [`${lockTimeoutMs}ms`]);
    await lockRelations(client, options.relations, { mode: 'ACCESS SHARE', only: true });
    return work();
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'), {
    signal: options.signal,
    pausesMs: options.pausesMs,
    isLockWait: isLockNotAvailable,
    giveUp: (err, tries) => readLockRefusal(client, options, lockTimeoutMs, err, tries),
  });
}
