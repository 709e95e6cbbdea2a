import { SchemaNotFoundError } from '../../src';
import { listMaterializedViews, listSchemaObjects, listSequences, listTables } from '../../src/copy/list-tables';
import { createDatabase, createSchemaWithDdl, execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;

beforeAll(async () => {
  url = await createDatabase(cluster(), 'catalog');
  await createSchemaWithDdl(url, 'elsewhere', `
    CREATE TABLE plain (id int);
    CREATE TABLE foreign_parent (id int, at date) PARTITION BY RANGE (at);`);
  await createSchemaWithDdl(url, 'acme-corp', `
    CREATE TABLE plain (id int, "user" text, gone text, "select" text);
    ALTER TABLE plain DROP COLUMN gone;
    INSERT INTO plain SELECT g, 'u' || g, 's' FROM generate_series(1, 1000) g;
    ANALYZE plain;
    CREATE TABLE "Order Lines" (id bigint GENERATED ALWAYS AS IDENTITY, qty int, total int GENERATED ALWAYS AS (qty * 2) STORED, note text);
    CREATE TABLE with_serial (id serial, v text);
    CREATE UNLOGGED TABLE scratch (v text);
    CREATE TABLE parted (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE parted_2023 PARTITION OF parted FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
    CREATE TABLE parted_2024 PARTITION OF parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (id);
    CREATE TABLE parted_2024_any PARTITION OF parted_2024 DEFAULT;
    CREATE TABLE leaf_of_elsewhere PARTITION OF elsewhere.foreign_parent FOR VALUES FROM ('2000-01-01') TO ('2001-01-01');
    CREATE TABLE inh_parent (a int);
    CREATE TABLE inh_child (b int) INHERITS (inh_parent);
    CREATE VIEW a_view AS SELECT id FROM plain;
    CREATE MATERIALIZED VIEW mv_full AS SELECT id, "user" FROM plain;
    CREATE MATERIALIZED VIEW mv_empty AS SELECT 1 AS one WITH NO DATA;
    CREATE FOREIGN DATA WRAPPER dummy_fdw;
    CREATE SERVER dummy FOREIGN DATA WRAPPER dummy_fdw;
    CREATE FOREIGN TABLE remote (id int) SERVER dummy;
    CREATE SEQUENCE "Standalone Seq";`);
});

describe('listTables', () => {
  test('lists tables with storage, leaf partitions and inheritance members; no partitioned parents, views or foreign tables', async () => {
    const tables = await withClient(url, (c) => listTables(c, 'acme-corp'));
    expect(tables.map((t) => t.name)).toEqual([
      'Order Lines', 'inh_child', 'inh_parent', 'leaf_of_elsewhere', 'parted_2023', 'parted_2024_any', 'plain', 'scratch', 'with_serial',
    ]);
    expect(tables.every((t) => t.schema === 'acme-corp')).toBe(true);
  });

  test('columns in attnum order without dropped and generated ones, identity included', async () => {
    const byName = new Map((await withClient(url, (c) => listTables(c, 'acme-corp'))).map((t) => [t.name, t]));
    expect(byName.get('plain')!.columns).toEqual(['id', 'user', 'select']);
    expect(byName.get('Order Lines')!.columns).toEqual(['id', 'qty', 'note']);
    expect(byName.get('inh_child')!.columns).toEqual(['a', 'b']);
  });

  test('reports persistence and estimates: unknown before the first ANALYZE, the planner count after', async () => {
    const byName = new Map((await withClient(url, (c) => listTables(c, 'acme-corp'))).map((t) => [t.name, t]));
    expect(byName.get('scratch')!.persistence).toBe('unlogged');
    expect(byName.get('plain')!.persistence).toBe('permanent');
    expect(byName.get('plain')!.estimatedRows).toBe(1000);
    expect(byName.get('with_serial')!.estimatedRows).toBeUndefined();
    // An empty table still has its TOAST index page; 1000 rows need more.
    expect(byName.get('plain')!.estimatedBytes).toBeGreaterThan(byName.get('with_serial')!.estimatedBytes + 8192);
  });

  test('heap pages as the catalog counted them (what splitting cuts), the file\'s size when never counted', async () => {
    const seen = await withClient(url, async (c) => {
      await c.query('CREATE TABLE "acme-corp".uncounted (v text); INSERT INTO "acme-corp".uncounted SELECT repeat(\'x\', 500) FROM generate_series(1, 200)');
      // Rows added after ANALYZE are not in relpages yet (100 rows: too few to wake autoanalyze).
      await c.query('INSERT INTO "acme-corp".plain SELECT g, repeat(\'u\', 500), \'s\' FROM generate_series(1001, 1100) g');
      const byName = new Map((await listTables(c, 'acme-corp')).map((t) => [t.name, t]));
      const { rows } = await c.query('SELECT relpages, (pg_relation_size(oid) / 8192)::int AS now FROM pg_class WHERE oid = \'"acme-corp".plain\'::regclass');
      await c.query('DROP TABLE "acme-corp".uncounted; DELETE FROM "acme-corp".plain WHERE id > 1000');
      return { plain: byName.get('plain')!, uncounted: byName.get('uncounted')!, empty: byName.get('with_serial')!, ...rows[0] };
    });
    expect(seen.plain).toMatchObject({ pages: seen.relpages, blockSize: 8192 });
    expect(seen.now).toBeGreaterThan(seen.relpages);
    expect(seen.uncounted.pages).toBeGreaterThanOrEqual(13); // 200 rows of 500 bytes: at least 13 pages of 8 kB
    expect(seen.empty.pages).toBe(0);
  });
});

test('listMaterializedViews reports whether each is populated', async () => {
  const views = await withClient(url, (c) => listMaterializedViews(c, 'acme-corp'));
  expect(views).toEqual([
    { schema: 'acme-corp', name: 'mv_empty', columns: ['one'], populated: false },
    { schema: 'acme-corp', name: 'mv_full', columns: ['id', 'user'], populated: true },
  ]);
});

test('listSequences includes identity, serial and standalone sequences of the schema only', async () => {
  const sequences = await withClient(url, (c) => listSequences(c, 'acme-corp'));
  expect(sequences.map((s) => s.name)).toEqual(['Order Lines_id_seq', 'Standalone Seq', 'with_serial_id_seq']);
});

test('listSchemaObjects names a missing schema; the single lists are just empty', async () => {
  await withClient(url, async (c) => {
    await expect(listSchemaObjects(c, 'Acme-Corp')).rejects.toBeInstanceOf(SchemaNotFoundError);
    expect(await listTables(c, 'Acme-Corp')).toEqual([]);
    const all = await listSchemaObjects(c, 'elsewhere');
    expect(all.tables.map((t) => t.name)).toEqual(['plain']);
  });
});

test('a table that belongs to an extension is left out (pg_dump does not create it)', async () => {
  await execSql(url, 'CREATE SCHEMA ext_home; CREATE TABLE ext_home.member (id int); CREATE TABLE ext_home.own (id int); ALTER EXTENSION plpgsql ADD TABLE ext_home.member');
  try {
    expect((await withClient(url, (c) => listTables(c, 'ext_home'))).map((t) => t.name)).toEqual(['own']);
  } finally {
    await execSql(url, 'ALTER EXTENSION plpgsql DROP TABLE ext_home.member');
  }
});
