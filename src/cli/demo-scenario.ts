import { ClientBase } from 'pg';
import { useConnection } from '../copy/use-connection';
import { quoteQualified } from '../quote';

function withDatabase<T>(url: string, fn: (client: ClientBase) => Promise<T>): Promise<T> {
  return useConnection(url, { role: 'demo' }, fn);
}

/** Rows and a content digest of one table: equal fingerprints mean the table was not touched. */
export interface TableFingerprint {
  readonly rows: number;
  readonly digest: string;
}

/**
 * Note the restore point T: the server's clock now, after everything so far has committed; then wait
 * a moment so that whatever happens next commits visibly after T.
 *
 * @example
 * const t = await markRestorePoint(cluster.url('postgres'));
 */
export async function markRestorePoint(url: string, settleMs = 1_000): Promise<Date> {
  const at = await withDatabase(url, async (c) => (await c.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return at;
}

/**
 * Business goes on after the copy: `orders` new paid orders (one item each) in every schema, so the
 * live data moves past the restore point.
 *
 * @example
 * await addRecentOrders(cluster.url('tenant_a'), ['customer_a1', 'customer_a2'], 25);
 */
export async function addRecentOrders(url: string, schemas: readonly string[], orders: number): Promise<void> {
  await withDatabase(url, async (c) => {
    for (const schema of schemas) {
      const q = (name: string): string => quoteQualified(schema, name);
      await c.query(`
        WITH new_orders AS (
          INSERT INTO ${q('orders')} (user_id, status, status_history, ordered_at)
          SELECT id, 'paid', '{pending,paid}', now() FROM ${q('users')} ORDER BY id LIMIT $1
          RETURNING id)
        INSERT INTO ${q('order_items')} (order_id, product_id, quantity, unit_price)
        SELECT o.id, p.id, 1, p.price
          FROM new_orders o
          CROSS JOIN LATERAL (SELECT id, price FROM ${q('products')} ORDER BY id LIMIT 1 OFFSET o.id % 10) p`, [orders]);
    }
  });
}

/** What the simulated incident destroyed. */
export interface IncidentDamage {
  readonly deletedOrders: number;
  readonly overwrittenEmails: number;
}

/**
 * The incident: a faulty job deletes every third order (their items go with them) and overwrites
 * the e-mail of every second user of one schema.
 *
 * @example
 * const damage = await damageSchema(cluster.url('tenant_a'), 'customer_a1');
 */
export async function damageSchema(url: string, schema: string): Promise<IncidentDamage> {
  return withDatabase(url, async (c) => {
    const deleted = await c.query(`DELETE FROM ${quoteQualified(schema, 'orders')} WHERE id % 3 = 0`);
    const updated = await c.query(`UPDATE ${quoteQualified(schema, 'users')} SET email = format('user%s@redacted.invalid', id) WHERE id % 2 = 0`);
    return { deletedOrders: deleted.rowCount ?? 0, overwrittenEmails: updated.rowCount ?? 0 };
  });
}

/**
 * Fingerprints of tables of a schema (rows and an md5 of their content in a stable order).
 *
 * @example
 * const before = await fingerprintTables(url, 'customer_a2', ['users', 'orders']);
 */
export async function fingerprintTables(url: string, schema: string, tables: readonly string[]): Promise<Record<string, TableFingerprint>> {
  return withDatabase(url, async (c) => {
    const result: Record<string, TableFingerprint> = {};
    for (const table of tables) {
      const { rows } = await c.query<{ rows: string; digest: string }>(
        `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${quoteQualified(schema, table)} t`);
      result[table] = { rows: Number(rows[0].rows), digest: rows[0].digest };
    }
    return result;
  });
}

/**
 * Users of a schema whose e-mail the incident overwrote.
 *
 * @example
 * await countOverwrittenEmails(url, 'customer_a1'); // 500
 */
export async function countOverwrittenEmails(url: string, schema: string): Promise<number> {
  return withDatabase(url, async (c) => {
    const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteQualified(schema, 'users')} WHERE email::text LIKE '%@redacted.invalid'`);
    return rows[0].n;
  });
}
