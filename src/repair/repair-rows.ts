import type { Client } from 'pg';
import { withCancellableSession } from '../cancel-on-abort';
import { comparedRelations, withConsistentRead } from '../compare/consistent-read';
import { type DatabaseConnection } from '../connection';
import { InvalidInputError } from '../errors';
import type { Abortable } from '../run-options';
import { countDifferences } from './count-differences';
import { planRepair, repairPreamble, type RepairPlan } from './repair-plan';
import { REPAIR_CATEGORIES, type RepairCategory, type RepairResult, type TableRepair } from './repair-result';
import { checkTriggersOff, runRepair } from './run-repair';

/** Options of {@link repairRows}. */
export interface RepairRowsOptions extends Abortable {
  /** The database holding both schemas (URL or conninfo string, resolved as libpq does). */
  readonly target: DatabaseConnection;
  /** The live schema written to, e.g. `customer_a1`. */
  readonly schema: string;
  /** The restored schema the rows come from, e.g. `customer_a1_20240128143000`. */
  readonly from: string;
  /** Only these tables (each in both schemas). @default every table the schemas have in common */
  readonly tables?: readonly string[];
  /** Re-insert rows that exist only in the restored schema. */
  readonly deleted?: boolean;
  /** Set rows with the same key back to their restored values (needs a key on every table). */
  readonly changed?: boolean;
  /** Delete rows that exist only in live. */
  readonly added?: boolean;
  /** An SQL condition on key columns (unqualified), applied to both sides, e.g. `id BETWEEN 100 AND 200`. */
  readonly where?: string;
  /** Let the live tables' triggers fire. `false` needs a superuser (session_replication_role = replica). @default true */
  readonly triggers?: boolean;
  /** Count and plan only, in a READ ONLY transaction. @default false */
  readonly dryRun?: boolean;
  /** How long each attempt waits for a lock, in ms (the session's own is kept when shorter). @default 2000 */
  readonly lockTimeoutMs?: number;
  /** Pauses between attempts, in ms. @default [250, 500, 1000, 2000] */
  readonly pausesMs?: readonly number[];
}

function categoriesOf(options: RepairRowsOptions): RepairCategory[] {
  const categories = REPAIR_CATEGORIES.filter((c) => options[c] === true);
  if (categories.length === 0) throw new InvalidInputError('nothing to repair: pass at least one of --deleted, --changed, --added (deleted, changed, added)');
  if (options.schema === options.from) throw new InvalidInputError(`--schema and --from both name "${options.schema}"; repair the live schema from the one restored from it`);
  return categories;
}

async function dryRun(client: Client, plan: RepairPlan, options: RepairRowsOptions, categories: readonly RepairCategory[]): Promise<RepairResult> {
  const relations = comparedRelations(plan.tables.map((p) => p.match), { live: options.schema, restored: options.from });
  const { lockTimeoutMs, pausesMs, signal } = options;
  const read = { relations, schemas: [options.schema, options.from], lockTimeoutMs, pausesMs, signal };
  const tables = await withConsistentRead(client, read, async () => {
    const counted: TableRepair[] = [];
    for (const p of plan.tables) {
      const n = await countDifferences(client, p);
      // The dry run always says how many rows --added would delete.
      const shown = REPAIR_CATEGORIES.filter((c) => categories.includes(c) || c === 'added');
      counted.push({ table: p.match.table, key: p.key.columns, keyKind: p.key.kind, ...Object.fromEntries(shown.map((c) => [c, n[c]])) });
    }
    return counted;
  });
  const triggers = options.triggers !== false;
  const statements = [...repairPreamble(plan, { triggers }), ...plan.steps.map((s) => s.sql)];
  return { schema: options.schema, from: options.from, categories, dryRun: true, triggers, tables, plan: statements, sequences: [], verified: false };
}

/**
 * Put rows back from a restored schema into the live one, in the database, set-based: `deleted`
 * re-inserts rows only in the restored schema, `changed` sets rows of the same key back to their
 * restored values, `added` deletes rows only in live — at least one must be asked for. Rows are
 * matched and compared as {@link diffSchemas} does (a table without a key: whole rows, duplicates
 * counted; `changed` refused). One transaction: locks first (ROW EXCLUSIVE on the live tables,
 * ACCESS SHARE on the restored, under `lock_timeout`, retried, holders named), tables in
 * foreign-key order, identity values kept (OVERRIDING SYSTEM VALUE), generated columns recomputed,
 * triggers firing unless `triggers: false`; then the diff for the repaired categories is checked to
 * be empty before COMMIT (else ROLLBACK), and sequences are moved forward past the repaired values.
 * `dryRun` writes nothing and returns the counts and the statements. Bad input is an
 * {@link InvalidInputError}; an abort rolls back.
 *
 * @example
 * const result = await repairRows({ target: liveUrl, schema: 'customer_a1', from: 'customer_a1_20240128143000', deleted: true });
 * for (const t of result.tables) console.log(t.table, t.deleted); // orders 2
 */
export async function repairRows(options: RepairRowsOptions): Promise<RepairResult> {
  const categories = categoriesOf(options);
  const session = { role: 'target', applicationName: 'pg-schema-restore repair', signal: options.signal, abortedMessage: 'repair aborted; rolled back, nothing was written' };
  return withCancellableSession(options.target, session, async (client) => {
    const plan = await planRepair(client, { schema: options.schema, from: options.from, tables: options.tables, categories, where: options.where });
    await checkTriggersOff(client, options);
    if (options.dryRun) return dryRun(client, plan, options, categories);
    const done = await runRepair(client, plan, { ...options, categories });
    return { schema: options.schema, from: options.from, categories, dryRun: false, triggers: options.triggers !== false, ...done, verified: true };
  });
}
