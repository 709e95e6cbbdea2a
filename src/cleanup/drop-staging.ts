import { Client } from 'pg';
import { dropSchemaInBatches, dropBatchSize } from './drop-in-batches';
import { connect, DatabaseConnection, describeConnection } from '../connection';
import { AddedForeignKey, dropOutsideForeignKeys } from '../ddl/add-outside-foreign-keys';
import { configureTargetSession, DEFAULT_LOCK_TIMEOUT_MS } from '../ddl/target-session';
import { poll, POLL_NOT_YET, pollDone, PollCheck } from '../poll';

export interface DropStagingOptions {
  /** The target: fresh sessions are opened on it when `client` is missing or broken. */
  readonly target: DatabaseConnection;
  /** The restore's own session, tried first. */
  readonly client?: Client;
  readonly schemas: readonly string[];
  /** Foreign keys this restore added to live tables: dropped first, one at a time. */
  readonly outsideKeys?: readonly AddedForeignKey[];
  readonly lockTimeoutMs?: number;
  /** Run first in every attempt, on the session that drops (e.g. unlink the large objects the restore created). */
  readonly beforeDrop?: (client: Client) => Promise<void>;
  /** How long to keep retrying while the target is unreachable or restarting. @default 120000 */
  readonly timeoutMs?: number;
  /** Replaced in tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each failed attempt that will be retried. */
  readonly onRetry?: (reason: string) => void;
}

export interface DropStagingResult {
  /** Schemas that existed and were dropped. */
  readonly dropped: string[];
  /** Schemas that may still exist (existence confirmed when the target could be asked). */
  readonly left: string[];
  /** Why the last attempt failed, when `left` is not empty. */
  readonly error?: Error;
}

const RETRYABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53200', '40P01', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const RETRYABLE_MESSAGE = /connection terminated|shutting down|starting up|not yet accepting connections|terminating connection|in recovery mode|server closed the connection/i;

/** A failure that passes: the server restarting, a connection lost, a lock or the lock table momentarily full. */
export function isRetryableDropError(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && (RETRYABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && RETRYABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

async function existing(client: Client, schemas: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])', [schemas]);
  const present = new Set(rows.map((r) => r.nspname));
  return schemas.filter((s) => present.has(s));
}

/**
 * Drop staging schemas, and never give up early: on the restore's own session first, then on fresh
 * ones, retrying with backoff until `timeoutMs` while the target restarts or a connection breaks
 * (57P01/57P03, refused, reset). Only schemas that exist are dropped, each in batches that fit
 * `max_locks_per_transaction` (see {@link dropSchemaInBatches}). Returns what was dropped and
 * exactly what is left.
 *
 * @example
 * const { left } = await dropStagingSchemas({ target: url, schemas: ['pgsr_4f1c2a9e0b7d_0'] });
 * if (left.length > 0) console.error(stagingLeftMessage(left, url));
 */
export async function dropStagingSchemas(o: DropStagingOptions): Promise<DropStagingResult> {
  const dropped: string[] = [];
  let left = [...o.schemas];
  let keys = [...o.outsideKeys ?? []];
  let own = o.client;
  let batchSize: number | undefined;
  let attempt = 0;
  let lastError: Error | undefined;
  const gaveUp = new Error('the deadline for dropping the staging schemas passed');
  const dropAll = async (): Promise<PollCheck<DropStagingResult>> => {
    attempt++;
    let client: Client | undefined;
    try {
      if (own) await own.query('ROLLBACK').catch(() => undefined);
      if (!own) {
        client = await connect(o.target, 'target');
        // A server shutting down also reports on the idle connection: that must not crash the process.
        client.on('error', () => undefined);
        await configureTargetSession(client, { lockTimeoutMs: o.lockTimeoutMs });
      } else {
        client = own;
      }
      await o.beforeDrop?.(client);
      const present = await existing(client, left);
      left = present;
      if (keys.length > 0) {
        await dropOutsideForeignKeys(client, keys, o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
        keys = [];
      }
      batchSize ??= await dropBatchSize(client);
      for (const schema of present) {
        await dropSchemaInBatches(client, schema, { batchSize });
        dropped.push(schema);
        left = left.filter((s) => s !== schema);
      }
      return pollDone({ dropped, left: [] });
    } catch (err) {
      // The lock table was full anyway (other sessions hold many locks): smaller statements.
      if ((err as { code?: string }).code === '53200') batchSize = Math.max(1, Math.floor((batchSize ?? 8) / 4));
      // The restore's own session may be broken or hit by the abort's late cancel: a fresh one is always tried.
      const onOwnSession = own !== undefined && client === own;
      if (!onOwnSession && !isRetryableDropError(err)) return pollDone({ dropped, left, error: err as Error });
      lastError = err as Error;
      return POLL_NOT_YET;
    } finally {
      if (client && client !== own) await client.end().catch(() => undefined);
      // The restore's session is tried once: after a failure it may be broken for good.
      own = undefined;
    }
  };
  try {
    return await poll({
      check: dropAll,
      minDelayMs: 250,
      maxDelayMs: 5_000,
      timeoutMs: o.timeoutMs ?? 120_000,
      timeoutError: () => gaveUp,
      sleep: o.sleep,
      beforeSleep: () => o.onRetry?.(`dropping the staging schema${left.length > 1 ? 's' : ''} failed (attempt ${attempt}: ${lastError?.message}); retrying`),
    });
  } catch (err) {
    if (err === gaveUp) return { dropped, left, error: lastError };
    throw err;
  }
}

/**
 * The sentence for what a drop left: the schemas by name and the command that removes them.
 *
 * @example
 * stagingLeftMessage(['pgsr_4f1c2a9e0b7d_0'], url, err);
 * // 'the staging schema "pgsr_4f1c2a9e0b7d_0" is still in the target (…); remove it with: pg-schema-restore cleanup --local --target … --yes'
 */
export function stagingLeftMessage(left: readonly string[], target: DatabaseConnection, error?: Error): string {
  const names = left.map((n) => `"${n}"`).join(', ');
  const what = left.length === 1 ? `the staging schema ${names} is` : `the staging schemas ${names} are`;
  return `${what} still in the target${error ? ` (${error.message})` : ''}; remove ${left.length === 1 ? 'it' : 'them'} with: ` +
    `pg-schema-restore cleanup --local --target '${describeConnection(target)}' --yes`;
}
