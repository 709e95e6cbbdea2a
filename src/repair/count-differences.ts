import type { ClientBase } from 'pg';
import { classifyRowsSql } from '../compare/classify-rows';
import type { RowCategory } from '../compare/diff-result';
import { quoteIdent } from '../quote';
import type { TableRepairPlan } from './repair-statements';

/**
 * Count the differences of one table as `diff` classifies them (one pass, in the server), limited to
 * the rows whose key satisfies the plan's `--where`. A dry run reports these counts; a real run
 * calls it again, inside its transaction before COMMIT, to verify that the repaired categories are
 * now empty — an independent check of the writes, with the diff's own query.
 *
 * @example
 * await countDifferences(client, plan); // { deleted: 2, added: 1, changed: 3 }
 */
export async function countDifferences(client: ClientBase, plan: TableRepairPlan): Promise<Record<RowCategory, number>> {
  const keys = plan.key.columns.map((name, i) => `c.k${i + 1} AS ${quoteIdent(name)}`).join(', ');
  const { rows } = await client.query<{ category: RowCategory; n: string }>(
    `SELECT category, count(*)::text AS n FROM (SELECT c.category, ${keys} FROM (${classifyRowsSql(plan)}) AS c) AS c` +
    `${plan.where ? ` WHERE (${plan.where})` : ''} GROUP BY category`);
  const counts: Record<RowCategory, number> = { deleted: 0, added: 0, changed: 0 };
  for (const row of rows) counts[row.category] = Number(row.n);
  return counts;
}
