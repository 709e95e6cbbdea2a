import { CopiedTable, copySequencePositions, migrateSchemas, openSourceSnapshot, refreshMaterializedViews, SchemaMapping, SchemaNotFoundError, validateRestore } from '../../src';
import { listMaterializedViews } from '../../src/copy/list-tables';
import { checksumRelation } from '../../src/validate/checksum-relation';
import { createDatabase, createSchemaWithDdl, execSql, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();
const MAPPINGS: SchemaMapping[] = [{ source: 'acme-corp', target: 'acme-corp_restored' }];
const DDL = `
  CREATE TYPE kind AS ENUM ('a', 'b');
  CREATE TABLE orders (id int, k kind, total numeric, doubled numeric GENERATED ALWAYS AS (total * 2) STORED, note text);
  CREATE TABLE "Line Items" ("order" int, qty int);
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
  CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);
  CREATE TABLE empty_one (x int);
  CREATE SEQUENCE invoice_no;
  CREATE MATERIALIZED VIEW totals AS SELECT k, sum(total) AS s FROM orders GROUP BY k %DATA%;
  CREATE MATERIALIZED VIEW unused AS SELECT 1 AS one WITH NO DATA;`;
let sourceUrl: string;
let databases = 0;

/** Restore the source schema into a fresh target database with this package's own data path; `copied` receives what the copy did. */
async function restoredTarget(copied: CopiedTable[] = []): Promise<string> {
  const url = await createDatabase(cluster(), `target_${++databases}`);
  await createSchemaWithDdl(url, MAPPINGS[0].target, DDL.replace('%DATA%', 'WITH NO DATA'));
  const snapshot = await openSourceSnapshot(sourceUrl);
  try {
    copied.push(...await migrateSchemas({ source: sourceUrl, target: url, schemas: MAPPINGS, snapshotId: snapshot.id, checksums: true }));
    await copySequencePositions({ source: snapshot.client, target: url, schemas: MAPPINGS });
    const populated = (await listMaterializedViews(snapshot.client, 'acme-corp')).filter((m) => m.populated);
    await refreshMaterializedViews({ target: url, schemas: MAPPINGS, populated });
  } finally {
    await snapshot.close();
  }
  return url;
}

beforeAll(async () => {
  sourceUrl = await createDatabase(cluster(), 'source');
  // A dropped column at the source only: the restored table (from pg_dump's DDL) never had it.
  await createSchemaWithDdl(sourceUrl, 'acme-corp', `${DDL.replace('%DATA%', '')};
    ALTER TABLE orders ADD COLUMN gone text; ALTER TABLE orders DROP COLUMN gone;
    INSERT INTO orders (id, k, total, note) SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END::kind, g * 1.25, 'n' || g FROM generate_series(1, 2000) g;
    INSERT INTO orders (id, k, total, note) SELECT 7, 'a', 8.75, 'n7' FROM generate_series(1, 3);
    INSERT INTO "Line Items" SELECT g % 100, g FROM generate_series(1, 500) g;
    INSERT INTO events SELECT g, date '2023-12-01' + g FROM generate_series(1, 100) g;
    SELECT setval('invoice_no', 77);
    REFRESH MATERIALIZED VIEW totals`);
});

test('a faithful restore validates without mismatches', async () => {
  const targetUrl = await restoredTarget();
  const result = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS });
  expect(result.mismatches).toEqual([]);
  expect(result.tables.map((t) => [t.name, t.kind, t.sourceRows, t.restoredRows, t.rowsMatch, t.checksumMatch])).toEqual([
    ['Line Items', 'table', 500, 500, true, true],
    ['empty_one', 'table', 0, 0, true, true],
    ['events_new', 'table', 70, 70, true, true],
    ['events_old', 'table', 30, 30, true, true],
    ['orders', 'table', 2003, 2003, true, true],
    ['totals', 'materialized view', 2, 2, true, true],
    ['unused', 'materialized view', undefined, undefined, true, true],
  ]);
  const orders = result.tables.find((t) => t.name === 'orders')!;
  expect(orders.sourceChecksum).toMatch(/^-?\d+$/);
  expect(orders.sourceChecksum).toBe(orders.restoredChecksum);
  expect(result.sequences).toEqual([
    { schema: 'acme-corp', name: 'invoice_no', source: { lastValue: '77', isCalled: true }, restored: { lastValue: '77', isCalled: true }, match: true },
  ]);
  expect(await waitForNoBackends(cluster())).toEqual([]);
});

test('the checksum counts duplicates and ignores row order', async () => {
  await withClient(sourceUrl, async (c) => {
    await c.query('CREATE TEMP TABLE x (v int); CREATE TEMP TABLE y (v int); CREATE TEMP TABLE z (v int)');
    await c.query('INSERT INTO x VALUES (1), (2), (2); INSERT INTO y VALUES (2), (1), (2); INSERT INTO z VALUES (1), (2)');
    const schema = (await c.query('SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()')).rows[0].nspname;
    const [x, y, z] = [await checksumRelation(c, schema, 'x', ['v']), await checksumRelation(c, schema, 'y', ['v']), await checksumRelation(c, schema, 'z', ['v'])];
    expect(x).toEqual(y);
    expect(z.checksum).not.toBe(x.checksum);
    expect(x.rows).toBe(3);
  });
});

test('a deleted row, a changed value, a missing or extra table and a moved sequence are each reported', async () => {
  const targetUrl = await restoredTarget();
  await execSql(targetUrl, `SET search_path = "acme-corp_restored";
    DELETE FROM orders WHERE id = 7 AND ctid = (SELECT min(ctid) FROM orders WHERE id = 7);
    UPDATE "Line Items" SET qty = qty + 1 WHERE "order" = 42 AND qty = 42;
    DROP TABLE empty_one;
    CREATE TABLE surplus (x int);
    SELECT setval('invoice_no', 78);
    REFRESH MATERIALIZED VIEW totals`);
  const result = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS });
  expect(result.mismatches).toEqual([
    'acme-corp.Line Items: contents differ (500 rows on both sides, different checksums)',
    'acme-corp.empty_one: table missing in the restored schema acme-corp_restored',
    'acme-corp.orders: 2003 rows at the source, 2002 restored',
    // totals, refreshed from orders that lost a row, differs too.
    'acme-corp.totals: contents differ (2 rows on both sides, different checksums) (materialized views are recomputed from the restored tables; the source\'s may be stale)',
    'acme-corp.surplus: table exists only in the restored schema acme-corp_restored',
    'acme-corp.invoice_no: sequence at 77 (is_called true) at the source, 78 (is_called true) restored ' +
      '(sequences are not transactional: a source in use may have moved on since the copy)',
  ]);
  const byName = new Map(result.tables.map((t) => [t.name, t]));
  expect(byName.get('Line Items')).toMatchObject({ rowsMatch: true, checksumMatch: false });
  expect(byName.get('orders')).toMatchObject({ sourceRows: 2003, restoredRows: 2002, rowsMatch: false });
  expect(byName.get('empty_one')).toMatchObject({ sourceRows: 0, restoredRows: undefined, rowsMatch: false, checksumMatch: false });
  expect(byName.get('surplus')).toMatchObject({ sourceRows: undefined, restoredRows: 0, rowsMatch: false });
  expect(result.sequences[0].match).toBe(false);
});

test('with the snapshot the restore was copied from, later changes at the source are not mismatches', async () => {
  const targetUrl = await createDatabase(cluster(), `target_${++databases}`);
  await createSchemaWithDdl(targetUrl, MAPPINGS[0].target, DDL.replace('%DATA%', 'WITH NO DATA'));
  const snapshot = await openSourceSnapshot(sourceUrl);
  try {
    await migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, snapshotId: snapshot.id });
    await execSql(sourceUrl, 'DELETE FROM "acme-corp"."Line Items" WHERE qty < 10');
    const inSnapshot = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, snapshotId: snapshot.id });
    expect(inSnapshot.mismatches.filter((m) => m.includes('Line Items'))).toEqual([]);
    const now = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS });
    expect(now.mismatches).toContain('acme-corp.Line Items: 491 rows at the source, 500 restored');
  } finally {
    await snapshot.close();
    await execSql(sourceUrl, 'INSERT INTO "acme-corp"."Line Items" SELECT g % 100, g FROM generate_series(1, 9) g');
  }
});

test('a restored schema that does not exist, or a different column list, is a mismatch; a missing source schema is an error', async () => {
  const targetUrl = await restoredTarget();
  await execSql(targetUrl, 'ALTER TABLE "acme-corp_restored"."Line Items" RENAME COLUMN qty TO quantity');
  const result = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS });
  expect(result.mismatches).toContain('acme-corp.Line Items: columns differ (source: order, qty; restored: order, quantity)');
  const gone = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: [{ source: 'acme-corp', target: 'nope' }] });
  expect(gone.mismatches[0]).toBe('acme-corp: the restored schema nope does not exist in the target');
  expect(gone.mismatches).toContain('acme-corp.orders: table missing in the restored schema nope');
  await expect(validateRestore({ source: sourceUrl, target: targetUrl, schemas: [{ source: 'ACME-corp', target: 'nope' }] })).rejects.toBeInstanceOf(SchemaNotFoundError);
  expect(await waitForNoBackends(cluster())).toEqual([]);
});

test('tables hashed as they were copied compare by their target side alone, on several sessions, and a changed row is still caught', async () => {
  const copied: CopiedTable[] = [];
  const targetUrl = await restoredTarget(copied);
  expect(new Map(copied.map((t) => [t.table, t.checksum?.rows]))).toEqual(new Map([
    ['orders', 2003], ['Line Items', 500], ['empty_one', 0], ['events_old', 30], ['events_new', 70],
  ]));
  // The source changes after the copy, outside any snapshot: tables compared by their copy checksums do not see it.
  await execSql(sourceUrl, 'UPDATE "acme-corp"."Line Items" SET qty = qty + 1000 WHERE qty = 1');
  try {
    const byCopy = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, copied, jobs: 3 });
    expect(byCopy.mismatches).toEqual([]);
    const lines = byCopy.tables.find((t) => t.name === 'Line Items')!;
    expect(lines.sourceChecksum).toMatch(/^-?\d+$/);
    expect(lines).toMatchObject({ sourceRows: 500, restoredRows: 500, restoredChecksum: lines.sourceChecksum });
    // The same tables, in the same order, as a comparison that reads both sides.
    const byQuery = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS });
    expect(byQuery.tables.map((t) => t.name)).toEqual(byCopy.tables.map((t) => t.name));
    expect(byQuery.mismatches).toEqual(['acme-corp.Line Items: contents differ (500 rows on both sides, different checksums)']);

    await execSql(targetUrl, `UPDATE "acme-corp_restored".orders SET note = 'changed' WHERE id = 5;
      DELETE FROM "acme-corp_restored".events_old WHERE id = 3`);
    const changed = await validateRestore({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, copied, jobs: 2 });
    expect(changed.mismatches).toEqual([
      'acme-corp.events_old: 30 rows at the source, 29 restored',
      'acme-corp.orders: contents differ (2003 rows on both sides, different checksums)',
    ]);
  } finally {
    await execSql(sourceUrl, 'UPDATE "acme-corp"."Line Items" SET qty = qty - 1000 WHERE qty = 1001');
  }
  expect(await waitForNoBackends(cluster())).toEqual([]);
});
