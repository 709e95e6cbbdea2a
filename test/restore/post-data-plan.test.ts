import { splitDdl } from '../../src/ddl/split-ddl';
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
    expect(byName('orders_customer').locks).toEqual(new Map([[relationKey('s', 'orders'), 'share']]));
    expect(byName('orders_pkey').locks).toEqual(new Map([[relationKey('s', 'orders'), 'exclusive']]));
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
});
