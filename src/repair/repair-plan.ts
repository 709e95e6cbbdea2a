import type { ClientBase } from 'pg';
import { repairOrder } from './repair-order';
import type { RepairCategory } from './repair-result';
import { repairStatement, type TableRepairPlan } from './repair-statements';
import { checkWhere } from './where-condition';
import { readLiveColumns, writeColumns } from './write-columns';
import { checkSchemasExist } from '../compare/check-schemas';
import { chooseKey, readKeys } from '../compare/choose-key';
import { relationSql } from '../compare/classify-rows';
import { matchTables } from '../compare/match-tables';
import { selectTables } from '../compare/select-tables';
import { InvalidInputError } from '../errors';

/** What to repair, checked against the database. */
export interface RepairPlanOptions {
  readonly schema: string;
  readonly from: string;
  readonly tables?: readonly string[];
  readonly categories: readonly RepairCategory[];
  readonly where?: string;
}

/** The tables to repair in write order (parents first), and the statements, in the order they run. */
export interface RepairPlan {
  readonly tables: readonly TableRepairPlan[];
  /** Tables on a foreign-key cycle; when there is one, deferrable foreign keys are checked at COMMIT. */
  readonly cycle: readonly string[];
  /** Per table and category, the statement (none for `changed` when no column can be updated). */
  readonly steps: ReadonlyArray<{ readonly table: string; readonly category: RepairCategory; readonly sql: string }>;
}

function refuseChangedWithoutKey(plans: readonly TableRepairPlan[], categories: readonly RepairCategory[]): void {
  if (!categories.includes('changed')) return;
  const keyless = plans.find((p) => p.key.kind === 'row');
  if (keyless) {
    throw new InvalidInputError(`table "${keyless.match.table}" has no key; --changed needs a primary key or unique NOT NULL key ` +
      '(leave the table out with --table, or repair it with --deleted/--added, which match whole rows)');
  }
}

/** Inserts and updates parents first, then deletes children first. */
function orderSteps(plans: readonly TableRepairPlan[], categories: readonly RepairCategory[]): RepairPlan['steps'] {
  const step = (p: TableRepairPlan, category: RepairCategory): RepairPlan['steps'] => {
    const sql = categories.includes(category) ? repairStatement(p, category) : undefined;
    return sql ? [{ table: p.match.table, category, sql }] : [];
  };
  return [
    ...plans.flatMap((p) => [...step(p, 'deleted'), ...step(p, 'changed')]),
    ...[...plans].reverse().flatMap((p) => step(p, 'added')),
  ];
}

/**
 * Plan a repair from the catalog: both schemas exist, the tables are matched (and each named one is
 * in both), each table's key is chosen as `diff` does, `--changed` has a key on every table,
 * `--where` names only key columns, the write order follows the foreign keys. Bad input is an
 * {@link InvalidInputError}; nothing is written.
 *
 * @example
 * const plan = await planRepair(client, { schema: 'customer_a1', from: 'customer_a1_20240128143000', categories: ['deleted'] });
 */
export async function planRepair(client: ClientBase, options: RepairPlanOptions): Promise<RepairPlan> {
  await checkSchemasExist(client, [{ schema: options.schema, option: '--schema' }, { schema: options.from, option: '--from' }]);
  const names = { live: options.schema, restored: options.from };
  const chosen = selectTables(await matchTables(client, names), { ...names, tables: options.tables, restoredOption: '--from' });
  const liveKeys = await readKeys(client, names.live);
  const restoredKeys = await readKeys(client, names.restored);
  const liveColumns = await readLiveColumns(client, names.live);
  const order = await repairOrder(client, names.live, chosen.map((t) => t.table));
  const plans = order.tables.map((name): TableRepairPlan => {
    const match = chosen.find((t) => t.table === name) as (typeof chosen)[number];
    const key = chooseKey(match, liveKeys.get(name) ?? [], restoredKeys.get(name) ?? []);
    return { ...names, match, key, write: writeColumns(match, key.columns, liveColumns.get(name)) };
  });
  refuseChangedWithoutKey(plans, options.categories);
  const where = options.where === undefined ? undefined
    : await checkWhere(options.where, plans.map((p) => ({ table: p.match.table, key: p.key.columns })));
  const withWhere = plans.map((p) => ({ ...p, where }));
  return { tables: withWhere, cycle: order.cycle, steps: orderSteps(withWhere, options.categories) };
}

/**
 * The statements a repair runs before its writes: `SET LOCAL session_replication_role = replica`
 * without triggers, `SET CONSTRAINTS ALL DEFERRED` when foreign keys form a cycle (deferrable ones
 * are then checked after the writes), and the locks: ROW EXCLUSIVE on the live tables (what the
 * writes take anyway, so other writers never wait for it), ACCESS SHARE on the restored ones.
 *
 * @example
 * repairPreamble(plan, { triggers: true }); // ['LOCK TABLE ONLY "a"."users" IN ROW EXCLUSIVE MODE', 'LOCK TABLE ONLY "a_past"."users" IN ACCESS SHARE MODE']
 */
export function repairPreamble(plan: RepairPlan, options: { readonly triggers: boolean }): string[] {
  return [
    ...options.triggers ? [] : ['SET LOCAL session_replication_role = replica'],
    ...plan.cycle.length > 0 ? ['SET CONSTRAINTS ALL DEFERRED'] : [],
    `LOCK TABLE ${plan.tables.map((p) => relationSql(p.live, p.match.table, p.match.liveKind)).join(', ')} IN ROW EXCLUSIVE MODE`,
    `LOCK TABLE ${plan.tables.map((p) => relationSql(p.restored, p.match.table, p.match.restoredKind)).join(', ')} IN ACCESS SHARE MODE`,
  ];
}
