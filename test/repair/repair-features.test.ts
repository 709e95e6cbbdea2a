import { InvalidInputError, quoteIdent, repairRows, SchemaRestoreError } from '../../src';
import { createDatabase, createSchemaWithDdl, execSql, schemaDigests, useLocalCluster, withClient } from '../support/postgres';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
const LIVE = 'shop';
const RESTORED = 'shop_20240128143000';
let databases = 0;

// The child table sorts before its parent by name: only the foreign key puts the parent first.
const DDL = `
  CREATE TABLE b_parents (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
  CREATE TABLE a_children (id serial PRIMARY KEY, parent_id int NOT NULL REFERENCES b_parents, qty int, total int GENERATED ALWAYS AS (qty * 2) STORED);
  CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO public.trigger_log VALUES (TG_TABLE_SCHEMA, TG_OP, NEW.id); RETURN NEW; END $$;
  CREATE TRIGGER a_children_log AFTER INSERT OR UPDATE ON a_children FOR EACH ROW EXECUTE FUNCTION log_row();
  INSERT INTO b_parents (name) VALUES ('one'), ('two'), ('three');
  INSERT INTO a_children (parent_id, qty) VALUES (1, 1), (1, 2), (2, 3);`;

/**
 * Both schemas as they were; the restored one also holds parent 10 and its child 10, inserted with
 * explicit ids beyond the sequences (deleted live since: the live sequences never reached them).
 * Live since: child 1's qty changed.
 */
async function shop(): Promise<string> {
  const url = await createDatabase(cluster(), `shop_${++databases}`);
  await execSql(url, 'CREATE TABLE public.trigger_log (schema text, op text, id int)');
  await createSchemaWithDdl(url, RESTORED, `${DDL}
    INSERT INTO b_parents OVERRIDING SYSTEM VALUE VALUES (10, 'ten');
    INSERT INTO a_children (id, parent_id, qty) VALUES (10, 10, 5);`);
  await createSchemaWithDdl(url, LIVE, `${DDL} UPDATE a_children SET qty = 40 WHERE id = 1;`);
  await execSql(url, 'TRUNCATE public.trigger_log');
  return url;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (c) => (await c.query(sql)).rows as T[]);
}

describe('repairRows: foreign keys, identity, sequences, generated columns, triggers', () => {
  test('parent and child both deleted: parent first; identity ALWAYS value kept; generated column recomputed; sequences moved forward; triggers fire', async () => {
    const url = await shop();
    const result = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true, changed: true });
    expect(result.tables.map((t) => [t.table, t.deleted, t.changed])).toEqual([['b_parents', 1, 0], ['a_children', 1, 1]]);
    expect(result.plan[2]).toMatch(/^INSERT INTO "shop"."b_parents" \("id", "name"\) OVERRIDING SYSTEM VALUE SELECT/);
    expect(result.plan[4]).toMatch(/^INSERT INTO "shop"."a_children" \("id", "parent_id", "qty"\) SELECT/);
    expect(await query(url, 'SELECT id, parent_id, qty, total FROM shop.a_children ORDER BY id')).toEqual([
      { id: 1, parent_id: 1, qty: 1, total: 2 }, { id: 2, parent_id: 1, qty: 2, total: 4 },
      { id: 3, parent_id: 2, qty: 3, total: 6 }, { id: 10, parent_id: 10, qty: 5, total: 10 },
    ]);
    expect(result.sequences).toEqual([
      { sequence: '"shop"."a_children_id_seq"', from: '3', to: '10' },
      { sequence: '"shop"."b_parents_id_seq"', from: '3', to: '10' },
    ]);
    // The next inserts do not collide with the repaired rows.
    expect(await query(url, "INSERT INTO shop.b_parents (name) VALUES ('new') RETURNING id")).toEqual([{ id: 11 }]);
    expect(await query(url, 'INSERT INTO shop.a_children (parent_id, qty) VALUES (11, 1) RETURNING id')).toEqual([{ id: 11 }]);
    expect(await query(url, "SELECT op, id FROM public.trigger_log WHERE schema = 'shop' ORDER BY op, id")).toEqual([
      { op: 'INSERT', id: 10 }, { op: 'INSERT', id: 11 }, { op: 'UPDATE', id: 1 },
    ]);
    // A second repair finds nothing to do and never moves a sequence backwards.
    const again = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true });
    expect(again.tables.map((t) => t.deleted)).toEqual([0, 0]);
    expect(again.sequences).toEqual([]);
    expect(await query(url, 'SELECT last_value::int AS v FROM shop.b_parents_id_seq')).toEqual([{ v: 11 }]);
  });

  test('a sequence outside the schema (shared in public) is not moved: only the live schema\'s own sequences are', async () => {
    const url = await createDatabase(cluster(), `shop_${++databases}`);
    await execSql(url, 'CREATE SEQUENCE public.shared_seq');
    const ddl = "CREATE TABLE notes (id bigint PRIMARY KEY DEFAULT nextval('public.shared_seq'), body text); INSERT INTO notes (body) VALUES ('a'), ('b')";
    await createSchemaWithDdl(url, RESTORED, `${ddl}; INSERT INTO notes VALUES (50, 'fifty')`);
    await createSchemaWithDdl(url, LIVE, ddl);
    const before = await query(url, 'SELECT last_value::int AS v FROM public.shared_seq');
    const result = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true });
    // The shared sequence gave the restored rows 1 and 2, the live ones 3 and 4: ids 1, 2 and 50 come back.
    expect(result.tables.map((t) => [t.table, t.deleted])).toEqual([['notes', 3]]);
    expect(result.sequences).toEqual([]);
    expect(await query(url, 'SELECT last_value::int AS v FROM public.shared_seq')).toEqual(before);
  });

  test('--no-triggers: the live triggers do not fire (superuser); refused in one line for another role, nothing written', async () => {
    const url = await shop();
    await execSql(url, `CREATE ROLE clerk LOGIN PASSWORD 'clerk-pw'; GRANT USAGE ON SCHEMA shop, ${quoteIdent(RESTORED)} TO clerk;
      GRANT ALL ON ALL TABLES IN SCHEMA shop, ${quoteIdent(RESTORED)} TO clerk; GRANT ALL ON ALL SEQUENCES IN SCHEMA shop TO clerk`);
    const clerk = new URL(url);
    clerk.username = 'clerk';
    clerk.password = 'clerk-pw';
    const before = await schemaDigests(url, LIVE);
    const refused = await repairRows({ target: clerk.toString(), schema: LIVE, from: RESTORED, deleted: true, triggers: false })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as Error).message).toBe('--no-triggers needs a superuser (it sets session_replication_role = replica); connect as one, or repair with triggers firing');
    expect(await schemaDigests(url, LIVE)).toEqual(before);
    const result = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true, triggers: false });
    expect(result.triggers).toBe(false);
    expect(result.plan[0]).toBe('SET LOCAL session_replication_role = replica');
    expect(result.tables.map((t) => t.deleted)).toEqual([1, 1]);
    expect(await query(url, 'SELECT * FROM public.trigger_log')).toEqual([]);
    expect(await query(url, "SELECT current_setting('session_replication_role') AS role")).toEqual([{ role: 'origin' }]);
  });

  test('a failing write names its table and rolls everything back (a unique key taken live since)', async () => {
    const url = await shop();
    await execSql(url, 'ALTER TABLE shop.b_parents ADD CONSTRAINT b_parents_name_key UNIQUE (name); INSERT INTO shop.b_parents (name) VALUES (\'ten\')');
    const before = await schemaDigests(url, LIVE);
    const err = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true, changed: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRestoreError);
    expect((err as SchemaRestoreError).code).toBe('REPAIR_FAILED');
    expect((err as Error).message).toMatch(/^repairing the deleted rows of table "b_parents" failed: duplicate key value violates unique constraint "b_parents_name_key"; rolled back, nothing was written$/);
    expect(await schemaDigests(url, LIVE)).toEqual(before);
  });

  test('a foreign-key cycle of deferrable keys: both tables written, the keys checked after the writes', async () => {
    const url = await createDatabase(cluster(), 'cycle');
    const ddl = `CREATE TABLE x (id int PRIMARY KEY, y_id int); CREATE TABLE y (id int PRIMARY KEY, x_id int REFERENCES x DEFERRABLE);
      ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y DEFERRABLE;`;
    await createSchemaWithDdl(url, RESTORED, `${ddl} BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO x VALUES (1, 1); INSERT INTO y VALUES (1, 1); COMMIT;`);
    await createSchemaWithDdl(url, LIVE, ddl);
    const result = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true });
    expect(result.plan[0]).toBe('SET CONSTRAINTS ALL DEFERRED');
    expect(result.tables.map((t) => [t.table, t.deleted])).toEqual([['x', 1], ['y', 1]]);
  });

  test('partitioned tables, with a key and without one: rows go back to their partitions, duplicates counted, --where on the key', async () => {
    const url = await createDatabase(cluster(), 'partitioned');
    const ddl = `CREATE TABLE sales (region text, id int, amount int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
      CREATE TABLE sales_eu PARTITION OF sales FOR VALUES IN ('eu'); CREATE TABLE sales_us PARTITION OF sales FOR VALUES IN ('us');
      CREATE TABLE hits (region text, n int) PARTITION BY LIST (region);
      CREATE TABLE hits_eu PARTITION OF hits FOR VALUES IN ('eu'); CREATE TABLE hits_us PARTITION OF hits FOR VALUES IN ('us');
      INSERT INTO sales VALUES ('eu', 1, 10), ('eu', 2, 20), ('us', 1, 30), ('us', 2, 40);
      INSERT INTO hits VALUES ('eu', 1), ('eu', 1), ('eu', 1), ('us', 2), ('us', 2);`;
    await createSchemaWithDdl(url, RESTORED, ddl);
    await createSchemaWithDdl(url, LIVE, `${ddl} DELETE FROM sales WHERE id = 2; UPDATE sales SET amount = 0 WHERE region = 'us';
      DELETE FROM hits_eu WHERE ctid = (SELECT min(ctid) FROM hits_eu); INSERT INTO hits VALUES ('us', 2), ('us', 3);`);
    const sales = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true, changed: true, tables: ['sales'], where: 'region = \'us\'' });
    expect(sales.tables).toEqual([{ table: 'sales', key: ['region', 'id'], keyKind: 'primary', deleted: 1, changed: 1 }]);
    expect(await query(url, 'SELECT tableoid::regclass::text AS part, id, amount FROM shop.sales ORDER BY 1, 2')).toEqual([
      { part: 'shop.sales_eu', id: 1, amount: 10 }, { part: 'shop.sales_us', id: 1, amount: 30 }, { part: 'shop.sales_us', id: 2, amount: 40 },
    ]);
    const hits = await repairRows({ target: url, schema: LIVE, from: RESTORED, deleted: true, added: true, tables: ['hits'] });
    expect(hits.tables).toEqual([{ table: 'hits', key: ['region', 'n'], keyKind: 'row', deleted: 1, added: 2 }]);
    expect(await query(url, 'SELECT tableoid::regclass::text AS part, n, count(*)::int AS rows FROM shop.hits GROUP BY 1, 2 ORDER BY 1, 2')).toEqual([
      { part: 'shop.hits_eu', n: 1, rows: 3 }, { part: 'shop.hits_us', n: 2, rows: 2 },
    ]);
  });
});
