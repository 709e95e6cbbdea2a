import { diffSchemas, restoreSchema } from '../../src';
import { createSampleDatabases } from '../../src/testing';
import { execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
const PAST = 'customer_a1_past';
let url: string;

/** How many rows a query returns, on the live database. */
async function count(sql: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) q`)).rows[0].n));
}

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 40, databases: { app: ['customer_a1'] } })).app;
  await restoreSchema({ source: url, target: url, schemas: ['customer_a1'], suffix: '_past' });
}, 120_000);

test('the sample tenant restored side by side, then an incident live: exact counts per table, triggers\' audit rows included', async () => {
  const items = await count('SELECT 1 FROM customer_a1.order_items WHERE order_id IN (1, 2)');
  const auditBefore = await count('SELECT 1 FROM customer_a1.audit_log');
  await execSql(url, `SET search_path = customer_a1;
    DELETE FROM order_items WHERE order_id IN (1, 2);
    DELETE FROM orders WHERE id IN (1, 2);
    UPDATE users SET full_name = 'Someone Else' WHERE id IN (3, 4);
    UPDATE products SET attributes = '{"colour": "red"}' WHERE id = 1;
    INSERT INTO users (email, full_name) VALUES ('new@example.com', 'New User');
    ALTER TABLE users ADD COLUMN phone text;`);
  // Triggers wrote audit rows for the two deleted orders and the two updated users.
  const audit = await count('SELECT 1 FROM customer_a1.audit_log') - auditBefore;
  expect(audit).toBe(4);

  const diff = await diffSchemas({ target: url, schema: 'customer_a1', against: PAST });
  const byName = Object.fromEntries(diff.tables.map((t) => [t.table, t]));
  expect(diff.tables.map((t) => t.table)).toEqual(['audit_log', 'order_items', 'orders', 'products', 'users']);
  expect(byName.order_items).toMatchObject({ keyKind: 'primary', deleted: items, added: 0, changed: 0 });
  // The tenant's own enum is one type per schema: compared by its labels; its domain money_amount by its base type, numeric.
  expect(byName.orders).toMatchObject({
    keyKind: 'primary',
    deleted: 2,
    added: 0,
    changed: 0,
    samples: { deleted: [{ id: '1' }, { id: '2' }] }, // bigint keys: as text, exact beyond 2^53
    comparedAsText: ['status', 'status_history'],
    columnTypeDifferences: [],
  });
  // updated_at moved too (a BEFORE UPDATE trigger): still one changed row each.
  expect(byName.users).toMatchObject({ deleted: 0, added: 1, changed: 2, columnsOnlyInLive: ['phone'], samples: { changed: [{ id: 3 }, { id: 4 }] } });
  expect(byName.products).toMatchObject({ deleted: 0, added: 0, changed: 1, samples: { changed: [{ id: 1 }] }, comparedAsText: [] });
  expect(byName.audit_log).toMatchObject({ deleted: 0, added: audit, changed: 0 });
  expect(diff.onlyInLive).toEqual([]);
  expect(diff.onlyInRestored).toEqual([]);
}, 60_000);
