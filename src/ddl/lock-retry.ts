import type { Client, ClientBase } from 'pg';
import { inTransaction } from '../connection/in-transaction';
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

/** Where {@link lockHolders} looks. */
export interface LockHoldersScope {
  /** One relation, `schema.name`; with neither this nor `schema`, any relation of this database. */
  readonly object?: string;
  /** Any relation of this schema. */
  readonly schema?: string;
  /** The mode wanted: holders of the modes it conflicts with are returned. */
  readonly mode: string;
}

/** What a holder runs, for a message: literals (which may be secrets) replaced by `…`, one line, at most 120 characters. */
export function redactQuery(query: string): string {
  const text = query.replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '$$…$$').replace(/'(?:[^']|'')*'?/g, '\'…\'').replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** Sessions other than ours holding a lock that conflicts with `mode` on a relation in `scope`, with that relation and what they run. */
export async function lockHolders(client: ClientBase, scope: LockHoldersScope): Promise<LockHolder[]> {
  type Row = Pick<LockHolder, 'pid' | 'mode'> & { usename: string | null; app: string; state: string | null; since: Date | null; relation: string; query: string | null };
  const { rows } = await client.query<Row>(
    `SELECT l.pid, a.usename::text AS usename, a.application_name AS app, a.state, a.xact_start AS since, l.mode,
            l.relation::regclass::text AS relation, a.query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND ($1::text IS NULL OR l.relation = to_regclass($1)) AND l.granted
        AND ($3::text IS NULL OR l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $3))
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.pid <> pg_backend_pid() AND l.mode = ANY($2::text[])
      ORDER BY a.xact_start NULLS LAST, l.pid`, [scope.object ?? null, CONFLICTS[scope.mode] ?? Object.keys(CONFLICTS), scope.schema ?? null]);
  return rows.map((r) => ({
    pid: r.pid,
    user: r.usename ?? '?',
    application: r.app,
    state: r.state ?? '?',
    since: r.since?.toISOString(),
    mode: r.mode,
    relation: r.relation,
    ...(r.query ? { query: redactQuery(r.query) } : {}),
  }));
}

/** `held by pid 42 (user app, psql, idle in transaction since …, AccessExclusiveLock on app.t, last ran: LOCK TABLE …)`. */
export function describeHolders(holders: readonly LockHolder[]): string {
  if (holders.length === 0) return 'no session holds it any longer';
  const shown = holders.slice(0, 3).map((h) => `pid ${h.pid} (user ${h.user}${h.application ? `, ${h.application}` : ''}, ${h.state}${h.since ? ` since ${h.since}` : ''}, ` +
    `${h.mode}${h.relation ? ` on ${h.relation}` : ''}${h.query ? `, ${h.state === 'active' ? 'running' : 'last ran'}: ${h.query}` : ''})`);
  return `held by ${shown.join('; ')}${holders.length > 3 ? ` and ${holders.length - 3} more` : ''}`;
}

/** What {@link lockTimeoutError} says. */
export interface LockTimeoutErrorOptions {
  /** What was being done: `adding foreign key orders_region_fkey`, `backing up schema customer_a1`. */
  readonly action: string;
  /** The object the error names (its `object`): `schema.name`, or a schema. */
  readonly object: string;
  /** What the action needed. @default `a lock on <object>` */
  readonly needs?: string;
  /** The bound of each wait, in ms. */
  readonly timeoutMs: number;
  readonly tries: number;
  /** The sessions in the way (see {@link lockHolders}). */
  readonly holders: readonly LockHolder[];
  /** The option that lengthens the wait, for the advice. @default '--lock-timeout' */
  readonly option?: string;
  /** What to do. @default `end or commit that session, or retry with a longer <option>` */
  readonly advice?: string;
  /** The last lock wait's failure. */
  readonly cause?: unknown;
}

/**
 * The {@link LockTimeoutError} of a lock wait given up after its last try, in the one wording every
 * step uses: `<action> needs <needs>, which could not be had within <timeout> in <tries> tries:
 * held by pid … (…); <advice>`.
 *
 * @example
 * throw lockTimeoutError({ action: 'adding foreign key f', object: 'public.regions', timeoutMs: 2000, tries: 5, holders, cause: err });
 */
export function lockTimeoutError(options: LockTimeoutErrorOptions): LockTimeoutError {
  const advice = options.advice ?? `end or commit that session, or retry with a longer ${options.option ?? '--lock-timeout'}`;
  return new LockTimeoutError(`${options.action} needs ${options.needs ?? `a lock on ${options.object}`}, which could not be had within ` +
    `${formatDuration(options.timeoutMs)} in ${options.tries} tries: ${describeHolders(options.holders)}; ${advice}`,
  options.object, options.holders, { cause: options.cause });
}

/** Whether an error (or its cause) is PostgreSQL's "could not obtain lock" (lock_timeout). */
export function isLockNotAvailable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return code === LOCK_NOT_AVAILABLE;
}

/** Options of {@link retryLockWaits}. */
export interface RetryLockWaitsOptions extends Abortable {
  /** Whether a failure was a lock wait that timed out (retried); any other failure is thrown at once. */
  readonly isLockWait: (err: unknown) => boolean;
  /** Pauses between attempts, in ms; one more attempt than pauses. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
  /** The error to throw once the last attempt's lock wait timed out (it names who holds the lock). */
  readonly giveUp: (err: unknown, tries: number) => Promise<Error>;
}

/**
 * Run `attempt` until it is not stopped by a lock wait that timed out: after such a failure, pause
 * (abortably) and try again; after the last pause, throw what `giveUp` makes. Each attempt undoes
 * its own work when it fails (rolls back, removes what it wrote).
 *
 * @example
 * await retryLockWaits(() => dumpOnce(), { isLockWait: isLockNotAvailable, signal, giveUp: async (err, tries) => lockTimeoutError({ …, tries, cause: err }) });
 */
export async function retryLockWaits<T>(attempt: () => Promise<T>, options: RetryLockWaitsOptions): Promise<T> {
  const pauses = options.pausesMs ?? [250, 500, 1000, 2000];
  for (let tries = 1; ; tries++) {
    if (options.signal?.aborted) throw new AbortedError();
    try {
      return await attempt();
    } catch (err) {
      if (options.signal?.aborted || !options.isLockWait(err)) throw err;
      if (tries > pauses.length) throw await options.giveUp(err, tries);
      await abortableSleep(pauses[tries - 1], options.signal);
    }
  }
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
  return retryLockWaits(() => inTransaction(client, work), {
    signal: options.signal,
    pausesMs: options.pausesMs,
    isLockWait: isLockNotAvailable,
    giveUp: async (err, tries) => {
      const holders = await lockHolders(client, { object: options.anyRelation ? undefined : options.object, mode: options.mode }).catch(() => []);
      return lockTimeoutError({ action: options.action, object: options.object, timeoutMs: options.lockTimeoutMs, tries, holders, cause: err });
    },
  });
}
