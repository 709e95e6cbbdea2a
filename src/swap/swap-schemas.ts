import type { Client } from 'pg';
import { withCancellableSession } from '../cancel-on-abort';
import { type DatabaseConnection } from '../connection';
import { inTransaction } from '../connection/in-transaction';
import { connectionLost } from '../connection-errors';
import { routineRewrites } from './swap-routines';
import { isLockNotAvailable, lockHolders, lockTimeoutError, retryLockWaits } from '../ddl/lock-retry';
import { lockSchemaRelations } from '../ddl/lock-schema-relations';
import { configureTargetSession } from '../ddl/target-session';
import { AbortedError, DdlError, InvalidInputError, LockHolder, LockTimeoutError, SchemaRestoreError } from '../errors';
import { safeListener } from '../progress';
import { quoteIdent } from '../quote';
import type { Abortable, WithClock, WithProgress } from '../run-options';
import { checkSwapTarget } from './check-swap-target';
import { checkSwapNames, replacedName, replacedSchema, SwapNames } from './swap-names';

/** Options of {@link swapSchemas}. */
export interface SwapSchemasOptions extends Abortable, WithClock, WithProgress {
  /** The live database. */
  readonly target: DatabaseConnection;
  /** The live schema, e.g. `customer_a1`. */
  readonly schema: string;
  /** The schema that takes its place (e.g. the restored `customer_a1_20240128143000`); with `undo`, the replaced schema to swap back. @default with undo - the one `<schema>_replaced_<time>` schema */
  readonly with?: string;
  /** The name the schema that held the live name keeps. @default `<schema>_replaced_<UTC YYYYMMDDHHMMSS>` */
  readonly keepAs?: string;
  /** Swap back: the replaced schema (`with`, or the one `<schema>_replaced_<time>`) takes the live name again. @default false */
  readonly undo?: boolean;
  /** The lock timeout of each wait for a lock, in ms (the session's own is kept when shorter). @default 2000 */
  readonly lockTimeoutMs?: number;
  /** Pauses between attempts, in ms; one more attempt than pauses. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
}

/** What {@link swapSchemas} did. */
export interface SwapResult {
  /** The live name. */
  readonly schema: string;
  /** The schema that took the live name, by its name before the swap. */
  readonly with: string;
  /** The name the former live schema has now. */
  readonly keptAs: string;
  readonly undo: boolean;
  /** Routines redefined because their body or search_path named a swapped schema, `schema.name(args)` after the swap. */
  readonly routines: string[];
  /** References that could not be rewritten with certainty (e.g. in a PL/Python body). */
  readonly warnings: string[];
  /** Attempts it took to get the locks. */
  readonly tries: number;
  readonly durationMs: number;
}

/** One attempt, in one transaction: lock, check, read the routines, rename both schemas, redefine the routines. */
async function swapOnce(client: Client, names: SwapNames, signal?: AbortSignal): Promise<Pick<SwapResult, 'routines' | 'warnings'>> {
  try {
    return await inTransaction(client, async () => {
      // No transaction that has used their tables may still run when the schemas change names.
      await lockSchemaRelations(client, { schemas: [names.live, names.with], mode: 'ACCESS EXCLUSIVE' });
      await checkSwapTarget(client, names);
      const rewrites = await routineRewrites(client, new Map([[names.live, names.keepAs], [names.with, names.live]]));
      await client.query(`ALTER SCHEMA ${quoteIdent(names.live)} RENAME TO ${quoteIdent(names.keepAs)}`);
      await client.query(`ALTER SCHEMA ${quoteIdent(names.with)} RENAME TO ${quoteIdent(names.live)}`);
      // The bodies were valid where they came from; as pg_dump does, they are not checked again.
      await client.query('SET LOCAL check_function_bodies = off');
      for (const statement of rewrites.statements) await client.query(statement);
      return { routines: rewrites.routines, warnings: rewrites.warnings };
    });
  } catch (err) {
    throw swapFailure(err, names, signal);
  }
}

/** A failure of an attempt as thrown: lock waits (retried) and our own errors as they are, the server's refusals named. */
function swapFailure(err: unknown, names: SwapNames, signal?: AbortSignal): unknown {
  if (signal?.aborted) return new AbortedError('swap aborted; nothing was changed');
  if (err instanceof SchemaRestoreError || isLockNotAvailable(err)) return err;
  return connectionLost(err) ?? new DdlError(`the target refused to swap "${names.live}" with "${names.with}": ${(err as Error).message}; nothing was changed ` +
    '(the swap must run as the owner of both schemas and their routines, or a superuser)', { cause: err });
}

/** The error after the last attempt: who holds locks on tables of either schema. */
async function lockRefusal(
  client: Client, names: SwapNames, o: { lockTimeoutMs: number; attempts: number; cause: unknown },
): Promise<LockTimeoutError> {
  const holdersIn = (schema: string): Promise<LockHolder[]> => lockHolders(client, { schema, mode: 'AccessExclusiveLock' }).catch(() => []);
  const all = (await Promise.all([names.live, names.with].map(holdersIn))).flat();
  // A session holds a table and its indexes: name it once.
  const holders = all.filter((h, i) => all.findIndex((other) => other.pid === h.pid) === i);
  return lockTimeoutError({
    action: `swapping "${names.live}" with "${names.with}"`,
    needs: 'every table of both locked',
    object: names.live,
    timeoutMs: o.lockTimeoutMs,
    tries: o.attempts,
    holders,
    advice: 'nothing was changed; end or commit that session and run the swap again',
    cause: o.cause,
  });
}

/** The names of this swap, checked: given, or for an undo the one replaced schema found. */
async function swapNames(client: Client, options: SwapSchemasOptions, keepAs: string): Promise<SwapNames> {
  const names = { live: options.schema, with: options.with ?? await replacedSchema(client, options.schema), keepAs };
  checkSwapNames(names);
  return names;
}

/**
 * Put a restored schema in the live one's place, in one short transaction: the live schema is
 * renamed to `<schema>_replaced_<UTC time>` (or `keepAs`) and `with` takes the live name. Both
 * schemas keep their OIDs, so owners, grants, default privileges, RLS policies, views, triggers and
 * `nextval` defaults stay with their side; routine bodies and `SET search_path` settings, which
 * name schemas in text, are rewritten with the restore's parser-based rename so that each side
 * still refers only to itself. The tables of both schemas are locked first (ACCESS EXCLUSIVE, under
 * `lock_timeout`, retried after pauses), so no transaction that used them is still running; when
 * the locks cannot be had, a {@link LockTimeoutError} names the sessions holding them and nothing
 * has changed. `undo: true` swaps back.
 *
 * @example
 * const result = await swapSchemas({ target: 'postgres://app@db/tenants', schema: 'customer_a1', with: 'customer_a1_20240128143000' });
 * // result.keptAs === 'customer_a1_replaced_20241127225700'
 * await swapSchemas({ target: 'postgres://app@db/tenants', schema: 'customer_a1', undo: true }); // customer_a1_replaced_… is live again
 */
export async function swapSchemas(options: SwapSchemasOptions): Promise<SwapResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  if (!options.undo && options.with === undefined) {
    throw new InvalidInputError(`missing --with <schema>: the restored schema that takes the place of "${options.schema}", e.g. --with ${options.schema}_20240128143000`);
  }
  const keepAs = options.keepAs ?? replacedName(options.schema, started);
  // Names that are wrong whatever the database holds are refused before connecting.
  if (options.with !== undefined) checkSwapNames({ live: options.schema, with: options.with, keepAs });
  const emit = safeListener(options.onProgress);
  // Ctrl-C cancels a lock wait at once instead of after the lock timeout.
  return withCancellableSession(options.target, { role: 'target', applicationName: 'pg-schema-restore swap', signal: options.signal }, async (client) => {
    const names = await swapNames(client, options, keepAs);
    const lockTimeoutMs = await configureTargetSession(client, { lockTimeoutMs: options.lockTimeoutMs });
    emit({ type: 'log', level: 'info', message: `swapping: "${names.live}" becomes "${names.keepAs}", "${names.with}" becomes "${names.live}"` });
    let tries = 0;
    const done = await retryLockWaits(() => {
      tries++;
      return swapOnce(client, names, options.signal);
    }, {
      signal: options.signal,
      pausesMs: options.pausesMs,
      isLockWait: (err) => {
        const waited = isLockNotAvailable(err);
        if (waited) emit({ type: 'log', level: 'warn', message: `other sessions hold locks on tables of "${names.live}" or "${names.with}" (attempt ${tries})` });
        return waited;
      },
      giveUp: (err, attempts) => lockRefusal(client, names, { lockTimeoutMs, attempts, cause: err }),
    });
    const durationMs = now().getTime() - started.getTime();
    return { schema: names.live, with: names.with, keptAs: names.keepAs, undo: options.undo === true, ...done, tries, durationMs };
  });
}
