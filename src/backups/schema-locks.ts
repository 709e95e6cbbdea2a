import type { ClientBase } from 'pg';
import { isLockNotAvailable, lockHolders, lockTimeoutError, retryLockWaits } from '../ddl/lock-retry';
import { lockSchemaRelations } from '../ddl/lock-schema-relations';
import { LockTimeoutError, SchemaRestoreError } from '../errors';
import type { Abortable } from '../run-options';

/** The longest a backup waits for one lock, by default: as long as a restore does (`--lock-timeout`). */
export const DEFAULT_LOCK_WAIT_TIMEOUT_MS = 2000;

/** Options of the backup's bounded lock waits. */
export interface SchemaLockOptions extends Abortable {
  readonly schema: string;
  /** Each wait's bound, in ms (already capped by the database's own lock_timeout). */
  readonly lockWaitTimeoutMs: number;
  /** Pauses between attempts, in ms. @default [250, 500, 1000, 2000] (as the restore's) */
  readonly pausesMs?: readonly number[];
}

/**
 * Whether pg_dump stopped because `--lock-wait-timeout` ran out while it locked the schema's tables
 * (pg_dump bounds those LOCK TABLEs with a statement_timeout, and only those).
 */
export function isPgDumpLockWait(err: unknown): boolean {
  return err instanceof SchemaRestoreError && err.code === 'TOOL_FAILED' && /pg_dump/.test(err.message)
    && /canceling statement due to (statement|lock) timeout/.test(err.message);
}

/**
 * The error of a backup that could not lock a schema's tables after every retry: names the table
 * and the sessions holding it (pid, user, application, what they run; literals left out).
 *
 * @example
 * throw await backupLockError(snapshot.client, { schema: 'customer_a1', lockWaitTimeoutMs: 2000 }, 5, err);
 */
export async function backupLockError(client: ClientBase, options: SchemaLockOptions, tries: number, cause: unknown): Promise<LockTimeoutError> {
  const holders = await lockHolders(client, { schema: options.schema, mode: 'AccessShareLock' }).catch(() => []);
  const tables = [...new Set(holders.map((h) => h.relation).filter((r): r is string => r !== undefined))];
  return lockTimeoutError({
    action: `backing up schema ${options.schema}`,
    needs: `a lock on ${tables.length > 0 ? tables.join(', ') : `the tables of schema ${options.schema}`}`,
    object: tables[0] ?? options.schema,
    timeoutMs: options.lockWaitTimeoutMs,
    tries,
    holders,
    option: '--lock-wait-timeout',
    cause,
  });
}

/**
 * Lock every table and materialized view of a schema in ACCESS SHARE mode on a session inside the
 * backup's snapshot, so the checksums that follow never wait for a lock. Each attempt waits at most
 * `lockWaitTimeoutMs` (a transaction-local lock_timeout, set back right after), inside a savepoint
 * so that a timed-out attempt leaves the snapshot's transaction usable; attempts are retried with
 * pauses, then a {@link LockTimeoutError} names the table and who holds it.
 *
 * @example
 * await lockBackupSchema(session, snapshot.client, { schema: 'customer_a1', lockWaitTimeoutMs: 2000, signal });
 */
export async function lockBackupSchema(session: ClientBase, holdersClient: ClientBase, options: SchemaLockOptions): Promise<void> {
  const { rows: [before] } = await session.query<{ value: string }>('SELECT current_setting(\'lock_timeout\') AS value');
  await retryLockWaits(async () => {
    await session.query('SAVEPOINT pgsr_lock_wait');
    try {
      await session.query('SELECT set_config(\'lock_timeout\', $1, true)', [`${options.lockWaitTimeoutMs}ms`]);
      await lockSchemaRelations(session, { schemas: [options.schema], mode: 'ACCESS SHARE', matviews: true });
      await session.query('RELEASE SAVEPOINT pgsr_lock_wait');
    } catch (err) {
      await session.query('ROLLBACK TO SAVEPOINT pgsr_lock_wait').catch(() => undefined);
      throw err;
    }
  }, {
    signal: options.signal,
    pausesMs: options.pausesMs,
    isLockWait: isLockNotAvailable,
    giveUp: (err, tries) => backupLockError(holdersClient, options, tries, err),
  });
  // Only the lock acquisition is bounded: the checksums keep the session's own setting.
  await session.query('SELECT set_config(\'lock_timeout\', $1, true)', [before.value]);
}
