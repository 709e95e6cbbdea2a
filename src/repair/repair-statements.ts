import { columnsOf, comparedValue, relationSql, type TableComparison } from '../compare/classify-rows';
import { quoteIdent, quoteQualified } from '../quote';
import type { RepairCategory } from './repair-result';
import type { WriteColumns } from './write-columns';

/** One table to repair: what is compared, the columns written, an optional condition on the key. */
export interface TableRepairPlan extends TableComparison {
  readonly write: WriteColumns;
  /** A checked `--where` condition on key columns (unqualified), applied to both sides. */
  readonly where?: string;
}

/** A restored value as written to the live column: itself, or, when compared by text, its text form read as the live type. */
function writtenValue(plan: TableRepairPlan, alias: string, name: string): string {
  const [column] = columnsOf(plan, [name]);
  const type = plan.write.live.get(name)?.type;
  return column.asText && type ? `${comparedValue(alias, column)}::${type}` : `${alias}.${quoteIdent(name)}`;
}

const list = (names: readonly string[]): string => names.map(quoteIdent).join(', ');
const live = (p: TableRepairPlan): string => relationSql(p.live, p.match.table, p.match.liveKind);
const restored = (p: TableRepairPlan): string => relationSql(p.restored, p.match.table, p.match.restoredKind);
const filtered = (p: TableRepairPlan, relation: string): string => p.where ? `(SELECT * FROM ${relation} WHERE (${p.where}))` : relation;
const andWhere = (p: TableRepairPlan): string => p.where ? `(${p.where}) AND ` : '';

function keyMatch(p: TableRepairPlan): string {
  return columnsOf(p, p.key.columns).map((c) => `${comparedValue('l', c)} = ${comparedValue('r', c)}`).join(' AND ');
}

function insertInto(p: TableRepairPlan): string {
  return `INSERT INTO ${quoteQualified(p.live, p.match.table)} (${list(p.write.insert)})${p.write.overriding ? ' OVERRIDING SYSTEM VALUE' : ''}`;
}

function keyedStatement(p: TableRepairPlan, category: RepairCategory): string {
  if (category === 'deleted') {
    return `${insertInto(p)} SELECT ${p.write.insert.map((c) => writtenValue(p, 'r', c)).join(', ')} FROM ${restored(p)} AS r ` +
      `WHERE ${andWhere(p)}NOT EXISTS (SELECT 1 FROM ${live(p)} AS l WHERE ${keyMatch(p)})`;
  }
  if (category === 'added') return `DELETE FROM ${live(p)} AS l WHERE ${andWhere(p)}NOT EXISTS (SELECT 1 FROM ${restored(p)} AS r WHERE ${keyMatch(p)})`;
  const rest = p.match.columns.filter((c) => !p.key.columns.includes(c.name));
  const row = (alias: string): string => `ROW(${rest.map((c) => comparedValue(alias, c)).join(', ')})`;
  return `UPDATE ${live(p)} AS l SET ${p.write.update.map((c) => `${quoteIdent(c)} = ${writtenValue(p, 'r', c)}`).join(', ')} ` +
    `FROM ${filtered(p, restored(p))} AS r WHERE ${keyMatch(p)} AND ${row('l')} IS DISTINCT FROM ${row('r')}`;
}

/** Rows of a table without a key, as compared, each column under its own name, after `leading` columns. */
function wholeRows(p: TableRepairPlan, relation: string, leading = ''): string {
  return `SELECT ${leading}${p.match.columns.map((c) => `${comparedValue('t', c)} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${relation} AS t` +
    (p.where ? ` WHERE (${p.where})` : '');
}

function wholeRowStatement(p: TableRepairPlan, category: 'deleted' | 'added'): string {
  if (category === 'deleted') {
    return `${insertInto(p)} SELECT ${p.write.insert.map((c) => writtenValue(p, 'd', c)).join(', ')} ` +
      `FROM (${wholeRows(p, restored(p))} EXCEPT ALL ${wholeRows(p, live(p))}) AS d`;
  }
  // Live rows beyond the number of identical restored rows (NULLs equal, as EXCEPT ALL): numbered within each group of equal rows.
  const values = p.match.columns.map((c) => `u.${quoteIdent(c.name)}`).join(', ');
  const both = `${wholeRows(p, live(p), '\'l\' AS _pgsr_side, t.tableoid AS _pgsr_oid, t.ctid AS _pgsr_ctid, ')} ` +
    `UNION ALL ${wholeRows(p, restored(p), '\'r\', NULL::oid, NULL::tid, ')}`;
  return `DELETE FROM ${live(p)} AS l USING (SELECT w._pgsr_oid, w._pgsr_ctid FROM (SELECT u._pgsr_side, u._pgsr_oid, u._pgsr_ctid, ` +
    `count(*) FILTER (WHERE u._pgsr_side = 'r') OVER (PARTITION BY ${values}) AS _pgsr_kept, ` +
    `row_number() OVER (PARTITION BY ${values}, u._pgsr_side ORDER BY u._pgsr_ctid) AS _pgsr_n FROM (${both}) AS u) AS w ` +
    'WHERE w._pgsr_side = \'l\' AND w._pgsr_n > w._pgsr_kept) AS d WHERE l.tableoid = d._pgsr_oid AND l.ctid = d._pgsr_ctid';
}

/**
 * The set-based statement that repairs one category of one table, run in the database: `deleted`
 * inserts the restored rows whose key is not live (`INSERT … SELECT … WHERE NOT EXISTS`), `changed`
 * updates live rows whose compared columns differ from the restored row of the same key
 * (`UPDATE … FROM … WHERE … IS DISTINCT FROM`, compared as `diff` does), `added` deletes live rows
 * whose key is not restored. A table without a key is repaired by whole rows with duplicates counted
 * (`EXCEPT ALL` for inserts; surplus identical rows for deletes); `changed` does not apply to it.
 * Identifiers are quoted; no data values appear. Undefined for `changed` when no column can be
 * updated (every compared column is part of the key, generated or GENERATED ALWAYS).
 *
 * @example
 * repairStatement(plan, 'deleted'); // 'INSERT INTO "a"."users" ("id", "name") SELECT r."id", r."name" FROM ONLY "a_past"."users" AS r WHERE NOT EXISTS (…)'
 */
export function repairStatement(plan: TableRepairPlan, category: RepairCategory): string | undefined {
  if (category === 'changed' && plan.write.update.length === 0) return undefined;
  if (plan.key.kind !== 'row') return keyedStatement(plan, category);
  // Internal invariant, never reached: planRepair refuses --changed for a table without a key.
  if (category === 'changed') throw new Error(`table ${plan.match.table} has no key; changed rows cannot be paired`);
  return wholeRowStatement(plan, category);
}
