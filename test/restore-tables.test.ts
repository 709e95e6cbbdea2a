import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, planRestore, restoreSchema, SchemaRestoreError } from '../src';
import { fakeCli } from './support/cli';
import { comparableDump } from './support/dump';
import { createDatabase, createSchemaWithDdl, execSql, objectsOf, stagingLikeSchemas, tableDigest, useLocalCluster, withClient } from './support/postgres';
import { backupDatabase } from '../src/backups/backup-database';
import { runCli } from '../src/cli/program';
import { dumpDatabase, LocalCluster } from '../src/local';

/** A tenant whose orders need an enum, a domain, a standalone sequence, functions in a check and a trigger, and two other tables. */
const SHOP = `
  CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
  CREATE DOMAIN positive AS numeric CHECK (VALUE > 0);
  CREATE FUNCTION valid_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t ~ '^[A-Z]{3}$' $$;
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2000-01-01'; RETURN NEW; END $$;
  CREATE SEQUENCE invoice_no;
  CREATE TABLE customers (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
  CREATE TABLE regions (code text PRIMARY KEY);
  CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    region text REFERENCES regions (code),
    status status NOT NULL DEFAULT 'new',
    total positive,
    code text CHECK (valid_code(code)),
    invoice bigint DEFAULT nextval('invoice_no'),
    updated_at timestamptz);
  CREATE INDEX orders_status_idx ON orders (status);
  CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
  COMMENT ON TABLE orders IS 'one row per order';
  COMMENT ON CONSTRAINT orders_region_fkey ON orders IS 'left out with its key';
  ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
  CREATE POLICY orders_paid ON orders USING (status <> 'new');
  GRANT SELECT ON orders TO PUBLIC;
  CREATE TYPE unused_kind AS ENUM ('x');
  CREATE FUNCTION unused_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
  CREATE TABLE audit_log (id bigserial PRIMARY KEY, kind unused_kind, note text);
  CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid';
  CREATE MATERIALIZED VIEW order_counts AS SELECT status, count(*) FROM orders GROUP BY status;
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  INSERT INTO events VALUES (1, '2024-05-01'), (2, '2024-06-01');
  INSERT INTO regions VALUES ('EU'), ('US');
  INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 5) g;
  INSERT INTO orders (customer_id, region, status, total, code)
    SELECT 1 + g % 5, CASE WHEN g % 2 = 0 THEN 'EU' END, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]::status, g * 1.5, 'ABC'
    FROM generate_series(1, 20) g;
  INSERT INTO audit_log (note) VALUES ('a'), ('b');
  REFRESH MATERIALIZED VIEW order_counts;`;

/** pg_dump's sections (`-- Name: …` blocks) of one table, without those that mention `leaveOut`, with a schema renamed back. */
function tableDump(cluster: LocalCluster, database: string, schema: string, table: string, leaveOut: string[] = []): string {
  const dump = comparableDump(cluster, database, ['--schema-only', '-t', `${schema}.${table}`]).split(schema).join('shop');
  return dump.split(/\n(?=--\n-- Name: )/).filter((block) => !leaveOut.some((word) => block.includes(word))).join('\n');
}

describe('restoreSchema with tables: only the chosen tables and what they need', () => {
  const cluster = useLocalCluster();
  let past: string;
  let live: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pgsr-tables-test-'));
    chmodSync(work, 0o755);
    past = await createDatabase(cluster(), 'shop_past');
    live = await createDatabase(cluster(), 'shop_live');
    await createSchemaWithDdl(past, 'shop', SHOP);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('from a live database: orders and customers with their types, sequences, functions, indexes, trigger, policy; the key to regions is left out', async () => {
    const report = await restoreSchema({ source: past, target: live, schemas: ['shop'], tables: ['shop.orders', 'shop.customers'], suffix: '_r1' });
    expect(report.warnings).toContainEqual(expect.stringContaining('foreign key orders_region_fkey of shop.orders references shop.regions, which is not among the restored tables: left out'));
    // touch() is PL/pgSQL, valid_code() a quoted SQL body: the catalog cannot say which tables they read.
    expect(report.warnings).toContainEqual('functions shop.touch, shop.valid_code are restored with the chosen tables, but a table or sequence only a function body uses '
      + '(PL/pgSQL, or SQL not written BEGIN ATOMIC) is not: name those with --table too');
    expect(await objectsOf(live, 'shop_r1')).toEqual({
      relations: ['customers', 'customers_id_seq', 'customers_pkey', 'invoice_no', 'orders', 'orders_id_seq', 'orders_pkey', 'orders_status_idx'],
      types: ['positive', 'status'],
      functions: ['touch', 'valid_code'],
    });
    for (const table of ['orders', 'customers']) expect(await tableDigest(live, 'shop_r1', table)).toEqual(await tableDigest(past, 'shop', table));
    // The definition is the source's, names mapped, but for the key to the table left behind.
    expect(tableDump(cluster(), 'shop_live', 'shop_r1', 'orders')).toEqual(tableDump(cluster(), 'shop_past', 'shop', 'orders', ['orders_region_fkey']));
    expect(tableDump(cluster(), 'shop_live', 'shop_r1', 'customers')).toEqual(tableDump(cluster(), 'shop_past', 'shop', 'customers'));
    await withClient(live, async (c) => {
      const sequences = 'SELECT sequencename::text AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = $1 ORDER BY 1';
      const restored = (await c.query(sequences, ['shop_r1'])).rows;
      const atSource = await withClient(past, async (p) => (await p.query(sequences, ['shop'])).rows.filter((r) => restored.some((x) => x.name === r.name)));
      expect(restored).toEqual(atSource);
      // The trigger, the check and the default call the restored schema's own functions and sequence.
      await c.query('UPDATE shop_r1.orders SET total = 2 WHERE id = 1');
      expect((await c.query('SELECT updated_at::date::text AS d FROM shop_r1.orders WHERE id = 1')).rows[0].d).toBe('2000-01-01');
      await expect(c.query("INSERT INTO shop_r1.orders (customer_id, code) VALUES (1, 'bad')")).rejects.toThrow(/orders_code_check/);
      const uses = await c.query<{ d: string }>('SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = \'shop_r1.orders\'::regclass ORDER BY adnum');
      expect(uses.rows.map((r) => r.d).join(' ')).not.toMatch(/\bshop\./);
    });
  });

  test('a view named brings the table it reads; a partitioned table brings its partitions', async () => {
    const report = await restoreSchema({ source: past, target: live, schemas: ['shop'], tables: ['shop.paid_orders', 'shop.events'], suffix: '_r4' });
    expect(report.warnings.filter((w) => w.startsWith('foreign key'))).toHaveLength(2);
    expect((await objectsOf(live, 'shop_r4')).relations).toEqual(['events', 'events_2024', 'invoice_no', 'orders', 'orders_id_seq', 'orders_pkey', 'orders_status_idx', 'paid_orders']);
    expect(await tableDigest(live, 'shop_r4', 'events_2024')).toEqual(await tableDigest(past, 'shop', 'events_2024'));
    const count = async (url: string, schema: string) => withClient(url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${schema}.paid_orders`)).rows[0].n);
    expect(await count(live, 'shop_r4')).toBe(await count(past, 'shop'));
  });

  test('a sequence only a function body uses comes along when named with --table, at its source position', async () => {
    await execSql(past, `CREATE SCHEMA bill;
      CREATE SEQUENCE bill.no_seq START 500;
      CREATE FUNCTION bill.next_no() RETURNS bigint LANGUAGE sql AS 'SELECT nextval(''bill.no_seq'')';
      CREATE TABLE bill.invoices (id int PRIMARY KEY, no bigint NOT NULL DEFAULT bill.next_no());
      INSERT INTO bill.invoices (id) SELECT generate_series(1, 3)`);
    try {
      const without = await restoreSchema({ source: past, target: live, schemas: ['bill'], tables: ['bill.invoices'], suffix: '_s1' });
      expect(without.warnings).toContainEqual(expect.stringMatching(/^function bill\.next_no is restored with the chosen tables, but a table or sequence only a function body uses/));
      await expect(execSql(live, 'INSERT INTO bill_s1.invoices (id) VALUES (4)')).rejects.toThrow(/relation "bill_s1\.no_seq" does not exist/);
      await restoreSchema({ source: past, target: live, schemas: ['bill'], tables: ['bill.invoices', 'bill.no_seq'], suffix: '_s2' });
      expect((await objectsOf(live, 'bill_s2')).relations).toEqual(['invoices', 'invoices_pkey', 'no_seq']);
      await execSql(live, 'INSERT INTO bill_s2.invoices (id) VALUES (4)');
      const numbers = await withClient(live, async (c) => (await c.query<{ no: string }>('SELECT no::text FROM bill_s2.invoices ORDER BY id')).rows.map((r) => r.no));
      expect(numbers).toEqual(['500', '501', '502', '503']);
      // The source's sequence did not move.
      expect(await withClient(past, async (c) => (await c.query('SELECT last_value::text AS v FROM bill.no_seq')).rows[0].v)).toBe('502');
    } finally {
      await execSql(past, 'DROP SCHEMA bill CASCADE');
      await execSql(live, 'DROP SCHEMA IF EXISTS bill_s1 CASCADE; DROP SCHEMA IF EXISTS bill_s2 CASCADE');
    }
  });

  test('a plan (dry run) lists the chosen tables and what they need', async () => {
    const plan = await planRestore({ source: past, target: live, schemas: [], tables: ['shop.orders'], suffix: '_plan' });
    expect(plan.schemas.map((s) => [s.source, s.tables?.map((t) => t.name)])).toEqual([['shop', ['orders']]]);
    const step = plan.steps.find((s) => s.startsWith('keep only shop.orders'));
    expect(step).toBeDefined();
    for (const needed of ['type shop.status', 'type shop.positive', 'function shop.touch', 'function shop.valid_code', 'sequence shop.invoice_no', 'sequence shop.orders_id_seq']) {
      expect(step).toContain(needed);
    }
    expect(step).not.toMatch(/customers|audit_log|unused/);
  });

  test('an unknown table is refused by name (TABLE_NOT_FOUND) and nothing is written', async () => {
    const err = await restoreSchema({ source: past, target: live, schemas: ['shop'], tables: ['shop.orders', 'shop.Orders'], suffix: '_bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRestoreError);
    expect((err as SchemaRestoreError).code).toBe('TABLE_NOT_FOUND');
    expect((err as Error).message).toContain('table "shop.Orders" does not exist in the source');
    expect(await stagingLikeSchemas(live)).toEqual([]);
    expect((await objectsOf(live, 'shop_bad').catch(() => undefined))).toBeUndefined();
  });

  test('the CLI: an unknown table is one line on stderr, exit 2', async () => {
    const cli = fakeCli(restoreSchema);
    expect(await runCli(['-q', 'restore', '--source', past, '--target', live, '--table', 'shop.orders', '--table', 'shop.nope', '--suffix', '_cli'], cli.deps)).toBe(2);
    expect(cli.stderr.lines().filter((l) => !l.startsWith('pg-schema-restore: warning'))).toEqual([
      'pg-schema-restore: table "shop.nope" does not exist in the source; check the name (schema.table, case-sensitive)',
    ]);
    expect(cli.calls[0]).toMatchObject({ schemas: ['shop'], tables: ['shop.orders', 'shop.nope'] });
  });

  test('aborted during the copy, a table-level restore leaves nothing behind', async () => {
    const controller = new AbortController();
    const restore = restoreSchema({
      source: past,
      target: live,
      schemas: ['shop'],
      tables: ['shop.orders', 'shop.customers'],
      suffix: '_abort',
      signal: controller.signal,
      onProgress: (e) => { if (e.type === 'phase' && e.phase === 'copy' && e.status === 'start') controller.abort(); },
    });
    await expect(restore).rejects.toBeInstanceOf(AbortedError);
    expect(await stagingLikeSchemas(live)).toEqual([]);
    expect(await withClient(live, async (c) => (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'shop_abort'")).rowCount)).toBe(0);
  });

  test('from a pg_dump archive: orders alone, both its keys left out, with warnings', async () => {
    const path = join(work, 'shop.dump');
    await dumpDatabase(cluster(), 'shop_past', path);
    const logs: string[] = [];
    const report = await restoreSchema({
      source: { kind: 'dump', path },
      target: live,
      schemas: ['shop'],
      tables: ['shop.orders'],
      suffix: '_r2',
      tempDir: work,
      onProgress: (e) => { if (e.type === 'log') logs.push(e.message); },
    });
    // The throwaway server gets the rows of orders and of the tables its keys reference (pg_restore validates them), no others.
    expect(logs).toContain('loaded only the rows the chosen tables need: not those of shop.audit_log, shop.events_2024');
    expect(report.warnings.filter((w) => w.startsWith('foreign key'))).toEqual([
      'foreign key orders_customer_id_fkey of shop.orders references shop.customers, which is not among the restored tables: left out',
      'foreign key orders_region_fkey of shop.orders references shop.regions, which is not among the restored tables: left out',
    ]);
    expect((await objectsOf(live, 'shop_r2')).relations).toEqual(['invoice_no', 'orders', 'orders_id_seq', 'orders_pkey', 'orders_status_idx']);
    expect(await tableDigest(live, 'shop_r2', 'orders')).toEqual(await tableDigest(past, 'shop', 'orders'));
  });

  test('from a backup: one table, checked against the backup\'s manifest', async () => {
    await backupDatabase({ source: past, to: join(work, 'backups') + '/', schemas: ['shop'] });
    const report = await restoreSchema({ source: { kind: 'backup', location: join(work, 'backups', 'shop_past') + '/' }, target: live, schemas: ['shop'], tables: ['shop.customers'], suffix: '_r3', tempDir: work });
    expect(report.warnings.filter((w) => w.startsWith('foreign key') || w.startsWith('function'))).toEqual([]);
    expect(await objectsOf(live, 'shop_r3')).toEqual({ relations: ['customers', 'customers_id_seq', 'customers_pkey'], types: [], functions: [] });
    expect(await tableDigest(live, 'shop_r3', 'customers')).toEqual(await tableDigest(past, 'shop', 'customers'));
  });
});
