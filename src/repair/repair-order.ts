import type { ClientBase } from 'pg';

/** The tables to write, parents before children, and whether foreign keys among them form a cycle. */
export interface RepairOrder {
  /** Referenced tables before the tables referencing them: inserts and updates run in this order, deletes in reverse. */
  readonly tables: readonly string[];
  /** Tables on a foreign-key cycle (a self-reference does not count): ordered by name among themselves. */
  readonly cycle: readonly string[];
}

// Foreign keys between two different tables of the schema; a partition's keys are its parent's.
const FOREIGN_KEYS_SQL = `
SELECT DISTINCT c.relname AS child, p.relname AS parent
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class p ON p.oid = k.confrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND n.nspname = $1 AND p.relnamespace = c.relnamespace AND c.oid <> p.oid
   AND NOT c.relispartition AND NOT p.relispartition`;

/**
 * Order tables for writing by the foreign keys among them (read from `pg_constraint`): a parent
 * before its children, by name where nothing decides. Tables on a cycle come after what they need,
 * by name among themselves, and are listed in `cycle` (their foreign keys are checked at COMMIT when
 * deferrable; otherwise a statement may fail and its error names the table).
 *
 * @example
 * await repairOrder(client, 'customer_a1', ['order_lines', 'orders']); // { tables: ['orders', 'order_lines'], cycle: [] }
 */
export async function repairOrder(client: ClientBase, schema: string, tables: readonly string[]): Promise<RepairOrder> {
  const { rows } = await client.query<{ child: string; parent: string }>(FOREIGN_KEYS_SQL, [schema]);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const { child, parent } of rows) {
    if (parents.has(child) && parents.has(parent)) parents.get(child)?.add(parent);
  }
  const ordered: string[] = [];
  const cycle: string[] = [];
  const left = [...tables].sort();
  while (left.length > 0) {
    const ready = left.filter((t) => [...parents.get(t) ?? []].every((p) => ordered.includes(p) || p === t));
    // A cycle: none is ready; take them all by name (what they need outside the cycle is already in).
    const next = ready.length > 0 ? ready : left.filter((t) => [...parents.get(t) ?? []].some((p) => left.includes(p)));
    if (ready.length === 0) cycle.push(...next);
    for (const t of next) {
      ordered.push(t);
      left.splice(left.indexOf(t), 1);
    }
  }
  return { tables: ordered, cycle };
}
