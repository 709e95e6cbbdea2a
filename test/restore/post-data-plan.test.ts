import { splitDdl } from '../../src/ddl/split-ddl';
import { LockOrder } from '../../src/restore/lock-modes';
import { planPostData, PostDataPlan, relationKey } from '../../src/restore/post-data-plan';

// Post-data as pg_dump orders it: keys, indexes, index attachments, rules/triggers, foreign keys, policies.
const DDL = `
SELECT pg_catalog.set_config('search_path', '', false);
SET default_tablespace = '';
ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
ALTER TABLE ONLY s.events_2024 ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, at);
ALTER TABLE s.orders ADD CONSTRAINT orders_positive CHECK (total > 0) NOT VALID;
CREATE INDEX orders_customer ON s.orders USING btree (customer);
CREATE INDEX orders_placed ON s.orders USING btree (placed);
CREATE UNIQUE INDEX orders_ref ON s.orders USING btree (ref);
ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref;
SET default_tablespace = fast;
CREATE INDEX items_order ON s.items USING btree (order_id);
ALTER INDEX s.events_pkey ATTACH PARTITION s.events_2024_pkey;
COMMENT ON INDEX s.orders_customer IS 'by customer';
ALTER TABLE s.orders CLUSTER ON orders_placed;
ALTER TABLE ONLY s.orders REPLICA IDENTITY USING INDEX orders_ref;
CREATE TRIGGER orders_touch BEFORE UPDATE ON s.orders FOR EACH ROW EXECUTE FUNCTION s.touch();
ALTER TABLE ONLY s.items ADD CONSTRAINT items_order_fkey FOREIGN KEY (order_id) REFERENCES s.orders(id);
ALTER TABLE s.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON s.orders USING (owner = CURRENT_USER);
`;

let plan: PostDataPlan;
const byName = (text: string) => {
  const build = plan.builds.find((b) => b.statement.sql.includes(text));
  if (!build) throw new Error(`no build for ${text}`);
  return build;
};

beforeAll(async () => {
  plan = planPostData((await splitDdl(DDL)).postData);
});

describe('planPostData', () => {
  test('indexes, keys, constraints, attachments and foreign keys are builds; the rest is the tail, in dump order', () => {
    expect(plan.builds.map((b) => [b.kind, b.statement.sql.split(' ').slice(0, 6).join(' ')])).toEqual([
      ['key', 'ALTER TABLE ONLY s.orders ADD CONSTRAINT'],
      ['key', 'ALTER TABLE ONLY s.events ADD CONSTRAINT'],
      ['key', 'ALTER TABLE ONLY s.events_2024 ADD CONSTRAINT'],
      ['constraint', 'ALTER TABLE s.orders ADD CONSTRAINT orders_positive'],
      ['index', 'CREATE INDEX orders_customer ON s.orders USING'],
      ['index', 'CREATE INDEX orders_placed ON s.orders USING'],
      ['index', 'CREATE UNIQUE INDEX orders_ref ON s.orders'],
      ['key', 'ALTER TABLE ONLY s.orders ADD CONSTRAINT'],
      ['index', 'CREATE INDEX items_order ON s.items USING'],
      ['attach', 'ALTER INDEX s.events_pkey ATTACH PARTITION s.events_2024_pkey'],
      ['foreign-key', 'ALTER TABLE ONLY s.items ADD CONSTRAINT'],
    ]);
    expect(plan.tail.filter((s) => s.kind !== 'setting').map((s) => s.sql.split(' ').slice(0, 2).join(' '))).toEqual([
      'COMMENT ON', 'ALTER TABLE', 'ALTER TABLE', 'CREATE TRIGGER', 'ALTER TABLE', 'CREATE POLICY',
    ]);
    expect(plan.tail[plan.tail.length - 1].sql).toMatch(/^CREATE POLICY/);
  });

  test('indexes of one table build side by side, after its key; an ALTER TABLE waits for every earlier build of the table', () => {
    const constraint = byName('orders_positive');
    expect(constraint.after).toEqual([byName('orders_pkey').id]);
    for (const index of ['orders_customer', 'orders_placed', 'orders_ref ON']) expect(byName(index).after).toEqual([constraint.id]);
    expect(byName('orders_ref_key').after).toEqual(['orders_customer', 'orders_placed', 'orders_ref ON'].map((n) => byName(n).id));
    expect(byName('orders_customer').locks).toEqual(new Map([[relationKey('s', 'orders'), 'SHARE']]));
    expect(byName('orders_pkey').locks).toEqual(new Map([[relationKey('s', 'orders'), 'ACCESS EXCLUSIVE']]));
  });

  test('a partition index is attached after both indexes; a foreign key after both tables\' keys', () => {
    const attach = byName('ATTACH PARTITION');
    expect(attach.after).toEqual([byName('events_pkey PRIMARY').id, byName('events_2024_pkey PRIMARY').id]);
    expect([...attach.locks.keys()]).toEqual([relationKey('s', 'events'), relationKey('s', 'events_2024')]);
    const fk = byName('items_order_fkey');
    expect(fk.after).toEqual([byName('orders_ref_key').id, byName('items_order ON').id]);
    expect([...fk.locks.keys()]).toEqual([relationKey('s', 'items'), relationKey('s', 'orders')]);
  });

  test('each build carries the session settings in force at its place in the dump', () => {
    expect([...byName('orders_customer').settings.keys()]).toEqual(['search_path', 'default_tablespace']);
    expect(byName('orders_customer').settings.get('default_tablespace')).toBe("SET default_tablespace = ''");
    expect(byName('items_order ON').settings.get('default_tablespace')).toBe('SET default_tablespace = fast');
    expect(byName('items_order ON').settings.get('search_path')).toBe("SELECT pg_catalog.set_config('search_path', '', false)");
  });

  test('an attachment of an index the plan does not know, and a multi-command ALTER TABLE, stay in the tail', async () => {
    const other = planPostData((await splitDdl(`ALTER INDEX s.a ATTACH PARTITION s.b;
      ALTER TABLE ONLY s.t ADD CONSTRAINT t_pkey PRIMARY KEY (id), ADD CONSTRAINT t_u UNIQUE (v);`)).postData);
    expect(other.builds).toEqual([]);
    expect(other.tail).toHaveLength(2);
  });

  test('a foreign key takes SHARE ROW EXCLUSIVE on both tables', () => {
    expect(byName('items_order_fkey').locks).toEqual(new Map([[relationKey('s', 'items'), 'SHARE ROW EXCLUSIVE'], [relationKey('s', 'orders'), 'SHARE ROW EXCLUSIVE']]));
  });
});

// The same shapes with the pre-data, so the plan knows which tables are partitioned.
const PRE = `
CREATE TABLE s.orders (id integer NOT NULL, ref text);
CREATE TABLE s.items (order_id integer NOT NULL, line integer NOT NULL, product integer, note text);
CREATE TABLE s.events (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE s.events_2024 PARTITION OF s.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE s.ex (r tsrange);
`;
const POST = `
ALTER TABLE ONLY s.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
ALTER TABLE ONLY s.events_2024 ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, at);
ALTER TABLE ONLY s.ex ADD CONSTRAINT ex_no_overlap EXCLUDE USING gist (r WITH &&);
ALTER TABLE ONLY s.items ADD CONSTRAINT items_pkey PRIMARY KEY (order_id, line) INCLUDE (product) WITH (fillfactor='70');
ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_ref_key UNIQUE NULLS NOT DISTINCT (ref) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX items_product ON s.items USING btree (product);
CREATE INDEX orders_ref_lower ON s.orders USING btree (lower(ref));
ALTER INDEX s.events_pkey ATTACH PARTITION s.events_2024_pkey;
ALTER TABLE ONLY s.items ADD CONSTRAINT items_order_fkey FOREIGN KEY (order_id) REFERENCES s.orders(id);
ALTER TABLE ONLY s.items ADD CONSTRAINT items_ref_fkey FOREIGN KEY (note) REFERENCES s.orders(ref);
`;

describe('planPostData with the pre-data: keys split into their index and a constraint USING INDEX', () => {
  let split: PostDataPlan;
  beforeAll(async () => {
    const ddl = await splitDdl(`${PRE}\n${POST}`);
    split = planPostData(ddl.postData, { preData: ddl.preData });
  });

  test('each key of a plain table builds as CREATE UNIQUE INDEX in place, its constraint after the table\'s indexes; partitioned and EXCLUDE stay whole', () => {
    expect(split.builds.map((b) => [b.id, b.kind, b.statement.sql, b.after])).toEqual([
      [0, 'key', 'ALTER TABLE ONLY s.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at)', []],
      [1, 'key', 'CREATE UNIQUE INDEX "events_2024_pkey" ON "s"."events_2024" USING btree ("id", "at")', []],
      [2, 'key', 'ALTER TABLE ONLY s.ex ADD CONSTRAINT ex_no_overlap EXCLUDE USING gist (r WITH &&)', []],
      [3, 'key', 'CREATE UNIQUE INDEX "items_pkey" ON "s"."items" USING btree ("order_id", "line") INCLUDE ("product") WITH ("fillfactor"=\'70\')', []],
      [4, 'key', 'CREATE UNIQUE INDEX "orders_pkey" ON "s"."orders" USING btree ("id")', []],
      [5, 'key', 'CREATE UNIQUE INDEX "orders_ref_key" ON "s"."orders" USING btree ("ref") NULLS NOT DISTINCT', []],
      [6, 'index', 'CREATE INDEX items_product ON s.items USING btree (product)', []],
      [7, 'index', 'CREATE INDEX orders_ref_lower ON s.orders USING btree (lower(ref))', []],
      [8, 'key', 'ALTER TABLE ONLY "s"."events_2024" ADD CONSTRAINT "events_2024_pkey" PRIMARY KEY USING INDEX "events_2024_pkey"', [1]],
      [9, 'attach', 'ALTER INDEX s.events_pkey ATTACH PARTITION s.events_2024_pkey', [0, 8]],
      [10, 'key', 'ALTER TABLE ONLY "s"."items" ADD CONSTRAINT "items_pkey" PRIMARY KEY USING INDEX "items_pkey"', [3, 6]],
      [11, 'key', 'ALTER TABLE ONLY "s"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY USING INDEX "orders_pkey"', [4, 5, 7]],
      [12, 'key', 'ALTER TABLE ONLY "s"."orders" ADD CONSTRAINT "orders_ref_key" UNIQUE USING INDEX "orders_ref_key" DEFERRABLE INITIALLY DEFERRED', [11]],
      [13, 'foreign-key', 'ALTER TABLE ONLY s.items ADD CONSTRAINT items_order_fkey FOREIGN KEY (order_id) REFERENCES s.orders(id)', [10, 12]],
      [14, 'foreign-key', 'ALTER TABLE ONLY s.items ADD CONSTRAINT items_ref_fkey FOREIGN KEY (note) REFERENCES s.orders(ref)', [13]],
    ]);
    expect(split.builds[4].locks).toEqual(new Map([[relationKey('s', 'orders'), 'SHARE']]));
    expect(split.builds[11].locks).toEqual(new Map([[relationKey('s', 'orders'), 'ACCESS EXCLUSIVE']]));
  });

  test('a key with a clause the split does not reproduce, or without the pre-data, stays one statement', async () => {
    const ddl = await splitDdl(`CREATE TABLE s.b (id integer NOT NULL, during tsrange NOT NULL);
      ALTER TABLE ONLY s.b ADD CONSTRAINT b_pkey PRIMARY KEY (id, during WITHOUT OVERLAPS);
      ALTER TABLE ONLY s.b ADD CONSTRAINT b_id UNIQUE (id);`);
    const kept = planPostData(ddl.postData, { preData: ddl.preData });
    expect(kept.builds.map((b) => b.statement.sql)).toEqual([
      'ALTER TABLE ONLY s.b ADD CONSTRAINT b_pkey PRIMARY KEY (id, during WITHOUT OVERLAPS)',
      'CREATE UNIQUE INDEX "b_id" ON "s"."b" USING btree ("id")',
      'ALTER TABLE ONLY "s"."b" ADD CONSTRAINT "b_id" UNIQUE USING INDEX "b_id"',
    ]);
    expect(planPostData(ddl.postData).builds.map((b) => b.statement.sql)).toEqual([
      'ALTER TABLE ONLY s.b ADD CONSTRAINT b_pkey PRIMARY KEY (id, during WITHOUT OVERLAPS)',
      'ALTER TABLE ONLY s.b ADD CONSTRAINT b_id UNIQUE (id)',
    ]);
  });

  test('names are quoted whatever they hold', async () => {
    const ddl = await splitDdl(`CREATE TABLE "Acme-Corp"."Order Lines" ("Line ""No""" integer NOT NULL);
      ALTER TABLE ONLY "Acme-Corp"."Order Lines" ADD CONSTRAINT "Order Lines_pkey" PRIMARY KEY ("Line ""No""");`);
    expect(planPostData(ddl.postData, { preData: ddl.preData }).builds.map((b) => b.statement.sql)).toEqual([
      'CREATE UNIQUE INDEX "Order Lines_pkey" ON "Acme-Corp"."Order Lines" USING btree ("Line ""No""")',
      'ALTER TABLE ONLY "Acme-Corp"."Order Lines" ADD CONSTRAINT "Order Lines_pkey" PRIMARY KEY USING INDEX "Order Lines_pkey"',
    ]);
  });
});

describe('LockOrder follows PostgreSQL\'s conflict table', () => {
  const t = relationKey('s', 't');
  const u = relationKey('s', 'u');

  test('reads wait only for ACCESS EXCLUSIVE; CREATE INDEX builds share; a foreign key waits for indexes, not reads; ACCESS EXCLUSIVE is a barrier', () => {
    const order = new LockOrder();
    expect(order.place(0, new Map([[t, 'SHARE']]))).toEqual([]);
    expect(order.place(1, new Map([[t, 'SHARE']]))).toEqual([]);
    expect(order.place(2, new Map([[t, 'ACCESS SHARE']]))).toEqual([]);
    expect(order.place(3, new Map([[t, 'SHARE ROW EXCLUSIVE'], [u, 'SHARE ROW EXCLUSIVE']]))).toEqual([0, 1]);
    expect(order.place(4, new Map([[t, 'ACCESS SHARE']]))).toEqual([]);
    expect(order.place(5, new Map([[t, 'SHARE']]))).toEqual([3]);
    expect(order.place(6, new Map([[t, 'ACCESS EXCLUSIVE']]))).toEqual([2, 4, 5]);
    expect(order.place(7, new Map([[t, 'ACCESS SHARE']]))).toEqual([6]);
    expect(order.place(8, new Map([[t, 'SHARE']]))).toEqual([6]);
    expect(order.place(9, new Map([[u, 'ACCESS SHARE']]))).toEqual([]);
  });

  test('a stronger lock replaces only what it covers: SHARE UPDATE EXCLUSIVE still follows a SHARE build after a ROW EXCLUSIVE one', () => {
    const order = new LockOrder();
    order.place(0, new Map([[t, 'SHARE']]));
    expect(order.place(1, new Map([[t, 'ROW EXCLUSIVE']]))).toEqual([0]);
    expect(order.place(2, new Map([[t, 'SHARE UPDATE EXCLUSIVE']]))).toEqual([0]);
  });
});

