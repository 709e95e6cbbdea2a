import type { Client } from 'pg';
import { inTransaction } from '../connection/in-transaction';
import { describeHolders, isLockNotAvailable, lockHolders, lockTimeoutError, retryLockWaits } from '../ddl/lock-retry';
import { configureTargetSession } from '../ddl/target-session';
import { InvalidInputError, LockTimeoutError, SchemaRestoreError } from '../errors';
import { formatDuration } from '../format-units';
import type { Abortable } from '../run-options';
import { countDifferences } from './count-differences';
import { repairPreamble, type RepairPlan } from './repair-plan';
import type { RepairCategory, SequenceMove, TableRepair } from './repair-result';
import { moveSequencesForward } from './repair-sequences';

/** Options of {@link runRepair}. */
export interface RunRepairOptions extends Abortable {
  readonly schema: string;
  readonly from: string;
  readonly categories: readonly RepairCategory[];
  readonly triggers?: boolean;
  readonly lockTimeoutMs?: number;
  readonly pausesMs?: readonly number[];
}

/** What one repair transaction wrote. */
export interface RepairDone {
  readonly tables: TableRepair[];
  readonly plan: string[];
  readonly sequences: SequenceMove[];
}

/**
 * Refuse `triggers: false` unless the session may set `session_replication_role` (a superuser), before anything is written.
 *
 * @example
 * await checkTriggersOff(client, { triggers: false }); // throws InvalidInputError for a role that is not a superuser
 */
export async function checkTriggersOff(client: Client, options: { readonly triggers?: boolean }): Promise<void> {
  if (options.triggers !== false) return;
  const { rows } = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  if (rows[0]?.rolsuper !== true) {
    throw new InvalidInputError('--no-triggers needs a superuser (it sets session_replication_role = replica); connect as one, or repair with triggers firing');
  }
}

/** A failed write, named by table and category; lock waits and cancels pass through (retried, or an abort). */
function writeFailed(err: unknown, what: string, options: RunRepairOptions): unknown {
  if (isLockNotAvailable(err) || options.signal?.aborted) return err;
  return new SchemaRestoreError('REPAIR_FAILED', `${what} failed: ${(err as Error).message}; rolled back, nothing was written`, { cause: err });
}

async function verify(client: Client, plan: RepairPlan, options: RunRepairOptions): Promise<void> {
  for (const p of plan.tables) {
    const left = await countDifferences(client, p);
    const category = options.categories.find((c) => left[c] > 0);
    if (category === undefined) continue;
    throw new SchemaRestoreError('REPAIR_NOT_VERIFIED', `after the repair, table "${p.match.table}" still has ${left[category]} ${category} rows ` +
      '(a trigger or a concurrent write changed them?); rolled back, nothing was written; run the diff, then the repair again');
  }
}

async function writeOnce(client: Client, plan: RepairPlan, options: RunRepairOptions): Promise<RepairDone> {
  const preamble = repairPreamble(plan, { triggers: options.triggers !== false });
  for (const sql of preamble) await client.query(sql);
  type Counts = Partial<Record<RepairCategory, number>>;
  const counts = new Map(plan.tables.map((p) => [p.match.table, Object.fromEntries(options.categories.map((c) => [c, 0])) as Counts]));
  for (const step of plan.steps) {
    const result = await client.query(step.sql).catch((err: unknown) => {
      throw writeFailed(err, `repairing the ${step.category} rows of table "${step.table}"`, options);
    });
    const table = counts.get(step.table) as Counts;
    table[step.category] = (table[step.category] ?? 0) + (result.rowCount ?? 0);
  }
  if (plan.cycle.length > 0) {
    await client.query('SET CONSTRAINTS ALL IMMEDIATE').catch((err: unknown) => {
      throw writeFailed(err, `checking the deferred foreign keys of tables ${plan.cycle.map((t) => `"${t}"`).join(', ')}`, options);
    });
  }
  await verify(client, plan, options);
  const tables = plan.tables.map((p): TableRepair => ({
    table: p.match.table, key: p.key.columns, keyKind: p.key.kind, ...counts.get(p.match.table),
  }));
  const written = tables.filter((t) => (t.deleted ?? 0) + (t.changed ?? 0) > 0).map((t) => t.table);
  const sequences = await moveSequencesForward(client, options.schema, written);
  return { tables, plan: [...preamble, ...plan.steps.map((s) => s.sql)], sequences };
}

async function lockRefusal(client: Client, options: RunRepairOptions, lockTimeoutMs: number, err: unknown, tries: number): Promise<Error> {
  const within = `within ${formatDuration(lockTimeoutMs)} in ${tries} tries`;
  const fix = 'nothing was written; end or commit that session, or retry with a longer --lock-timeout';
  const holders = [...await lockHolders(client, { schema: options.schema, mode: 'RowExclusiveLock' }).catch(() => []),
    ...await lockHolders(client, { schema: options.from, mode: 'AccessShareLock' }).catch(() => [])];
  if (holders.length > 0) {
    return lockTimeoutError({
      action: `repairing "${options.schema}"`,
      object: options.schema,
      needs: `ROW EXCLUSIVE locks on its tables (and ACCESS SHARE on "${options.from}")`,
      timeoutMs: lockTimeoutMs,
      tries,
      holders,
      advice: fix,
      cause: err,
    });
  }
  // No table lock in the way: a row the repair writes was locked by a transaction that wrote it; name the open writers.
  const writers = await lockHolders(client, { schema: options.schema, mode: 'ShareLock' }).catch(() => []);
  return new LockTimeoutError(`repairing "${options.schema}" must write rows that another transaction holds locked, not released ${within}: ` +
    `open writers of its tables: ${describeHolders(writers)}; ${fix}`, options.schema, writers, { cause: err });
}

/**
 * Run a planned repair in one transaction on the target: the preamble (locks under the session's
 * `lock_timeout`), the writes in plan order, the deferred foreign keys checked, the diff for the
 * repaired categories verified empty, sequences moved forward, COMMIT. Any failure rolls back; a
 * lock wait that times out is retried after pauses, then a {@link LockTimeoutError} names the holders.
 *
 * @example
 * const done = await runRepair(client, plan, { schema: 'customer_a1', from: 'customer_a1_20240128143000', categories: ['deleted'] });
 */
export async function runRepair(client: Client, plan: RepairPlan, options: RunRepairOptions): Promise<RepairDone> {
  const lockTimeoutMs = await configureTargetSession(client, { lockTimeoutMs: options.lockTimeoutMs });
  return retryLockWaits(() => inTransaction(client, () => writeOnce(client, plan, options)), {
    signal: options.signal,
    pausesMs: options.pausesMs,
    isLockWait: isLockNotAvailable,
    giveUp: (err, tries) => lockRefusal(client, options, lockTimeoutMs, err, tries),
  });
}
