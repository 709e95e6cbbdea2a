import { Client } from 'pg';
import { AbortedError, LockHolder, LockTimeoutError } from '../errors';
import { formatDuration } from '../format-units';
import type { Abortable } from '../run-options';
import { abortableSleep } from '../sleep';

/** PostgreSQL's SQLSTATE for "could not obtain lock" (lock_timeout). */
const LOCK_NOT_AVAILABLE = '55P03';

/** Lock modes, and the modes each conflicts with (PostgreSQL's table-level lock conflict table). */
const CONFLICTS: Record<string, string[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
};

/** Options of {@link withLockRetry}. */
export interface LockRetryOptions extends Abortable {
  /** The outside object the statement locks, `schema.name` (for the message and to find who holds it). */
  readonly object: string;
  /** `object` is not one relation (e.g. whatever views of the DDL reference): look for holders on any relation of the database. */
  readonly anyRelation?: boolean;
  /** The lock mode the statement takes on it, e.g. `ShareRowExclusiveLock`. */
  readonly mode: string;
  /** What is being done, for the message: `adding foreign key orders_region_fkey`. */
  readonly action: string;
  /** The session's lock_timeout, in ms (for the message). */
  readonly lockTimeoutMs: number;
  /** Pauses between attempts, in ms; one more attempt than pauses. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
}

/** Sessions other than ours holding a lock on `object` (any relation of this database when undefined) that conflicts with `mode`. */
export async function lockHolders(client: Client, object: string | undefined, mode: string): Promise<LockHolder[]> {
  const { rows } = await client.query<{ pid: number; usename: string | null; app: string; state: string | null; since: Date | null; mode: string }>(
    `SELECT l.pid, a.usename::text AS usename, a.application_name AS app, a.state, a.xact_start AS since, l.mode
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND ($1::text IS NULL OR l.relation = to_regclass($1)) AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.pid <> pg_backend_pid() AND l.mode = ANY($2::text[])
      ORDER BY a.xact_start NULLS LAST, l.pid`, [object, CONFLICTS[mode] ?? Object.keys(CONFLICTS)]);
  return rows.map((r) => ({ pid: r.pid, user: r.usename ?? '?', application: r.app, state: r.state ?? '?', since: r.since?.toISOString(), mode: r.mode }));
}

function describeHolders(holders: readonly LockHolder[]): string {
  if (holders.length === 0) return 'no session holds it any longer';
  const shown = holders.slice(0, 3).map((h) => `pid ${h.pid} (user ${h.user}${h.application ? `, ${h.application}` : ''}, ${h.state}${h.since ? ` since ${h.since}` : ''}, ${h.mode})`);
  return `held by ${shown.join('; ')}${holders.length > 3 ? ` and ${holders.length - 3} more` : ''}`;
}

/**
 * Run a short transaction that must lock an object outside the staging schema. The session's
 * `lock_timeout` bounds each wait, so live writers queue behind it for at most that long; when the
 * lock cannot be had, the transaction is rolled back, writers go on, and it is tried again after a
 * pause. After the last attempt a {@link LockTimeoutError} names the sessions holding the object.
 *
 * @example
 * await withLockRetry(client, () => client.query('ALTER TABLE …'), { object: 'public.regions', mode: 'ShareRowExclusiveLock', action: 'adding foreign key f', lockTimeoutMs: 2000 });
 */
export async function withLockRetry<T>(client: Client, work: () => Promise<T>, options: LockRetryOptions): Promise<T> {
  const pauses = options.pausesMs ?? [250, 500, 1000, 2000];
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new AbortedError();
    await client.query('BEGIN');
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (code !== LOCK_NOT_AVAILABLE) throw err;
      if (attempt < pauses.length) {
        await abortableSleep(pauses[attempt], options.signal);
        continue;
      }
      const holders = await lockHolders(client, options.anyRelation ? undefined : options.object, options.mode).catch(() => []);
      throw new LockTimeoutError(
        `${options.action} needs a lock on ${options.object}, which could not be had within ${formatDuration(options.lockTimeoutMs)} in ${attempt + 1} tries: ` +
        `${describeHolders(holders)}; end or commit that session, or retry with a longer --lock-timeout`,
        options.object, holders, { cause: err });
    }
  }
}
