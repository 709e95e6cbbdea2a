import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressEvent, restoreSchema } from '../../src';
import { splitDdl } from '../../src/ddl/split-ddl';
import type { BuildEvent } from '../../src/progress';
import { LOCK_MODES, LockMode, locksConflict } from '../../src/restore/lock-modes';
import { planPostData, relationKey } from '../../src/restore/post-data-plan';
import { comparableDump } from '../support/dump';
import { createDatabase, execSql, tableDigest, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

// Keys of every form the split into CREATE UNIQUE INDEX + ADD CONSTRAINT USING INDEX must reproduce,
// and those it must leave whole (a partitioned table's key, EXCLUDE), with what depends on them.
const KEYS = `CREATE SCHEMA keys;
  CREATE TABLE keys.orders (id int, region text, ref text, note text,
    CONSTRAINT orders_pkey PRIMARY KEY (id, region) INCLUDE (note) WITH (fillfactor = 70));
  ALTER TABLE keys.orders ADD CONSTRAINT orders_ref_key UNIQUE (ref) DEFERRABLE INITIALLY DEFERRED;
  CREATE INDEX orders_note ON keys.orders (note);
  ALTER TABLE keys.orders CLUSTER ON orders_pkey;
  CREATE TABLE keys.tags (id int PRIMARY KEY, code text NOT NULL, label text,
    CONSTRAINT tags_label_key UNIQUE NULLS NOT DISTINCT (label),
    CONSTRAINT tags_code_key UNIQUE (code) USING INDEX TABLESPACE fast);
  COMMENT ON CONSTRAINT tags_label_key ON keys.tags IS 'one unlabelled tag at most';
  ALTER TABLE keys.tags REPLICA IDENTITY USING INDEX tags_code_key;
  CREATE TABLE keys.lines (order_id int, region text, tag_code text REFERENCES keys.tags (code), line int,
    "Line ""No""" int NOT NULL, CONSTRAINT "Lines Key" UNIQUE ("Line ""No"""),
    FOREIGN KEY (order_id, region) REFERENCES keys.orders (id, region));
  CREATE TABLE keys.events (id int, at date, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE keys.events_2023 PARTITION OF keys.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
  CREATE TABLE keys.events_2024 PARTITION OF keys.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE keys.bookings (id int PRIMARY KEY, during tsrange, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));
  INSERT INTO keys.orders SELECT g, 'r' || g % 3, 'ref ' || g, CASE WHEN g % 2 = 0 THEN 'n' END FROM generate_series(1, 3000) g;
  INSERT INTO keys.tags VALUES (1, 'a', NULL), (2, 'b', 'x');
  INSERT INTO keys.lines SELECT g, 'r' || g % 3, 'a', 1, g FROM generate_series(1, 3000) g;
  INSERT INTO keys.events SELECT g, DATE '2023-06-01' + g % 400, 'k' FROM generate_series(1, 1000) g;
  INSERT INTO keys.bookings SELECT g, tsrange(TIMESTAMP '2024-01-01' + g * INTERVAL '1 hour', TIMESTAMP '2024-01-01' + (g + 1) * INTERVAL '1 hour') FROM generate_series(1, 50) g;`;

// A table whose other index takes seconds (its expression sleeps now and then) while its key's index builds (about half a second).
const BUSY = `CREATE SCHEMA busy;
  CREATE FUNCTION busy.wait(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN IF x % 400 = 0 THEN PERFORM pg_sleep(0.002); END IF; RETURN x; END $$;
  CREATE TABLE busy.big (id text PRIMARY KEY, n int);
  INSERT INTO busy.big SELECT md5(g::text), g FROM generate_series(1, 400000) g;
  CREATE INDEX big_slow ON busy.big (busy.wait(n));`;

let source = '';

beforeAll(async () => {
  const fast = mkdtempSync(join(tmpdir(), 'pgsr-fast-'));
  const { osUser } = cluster();
  if (osUser) chownSync(fast, osUser.uid, osUser.gid);
  await execSql(cluster().url('postgres'), `CREATE TABLESPACE fast LOCATION '${fast}'`);
  source = await createDatabase(cluster(), 'keys_src');
  await execSql(source, `${KEYS}\n${BUSY}`);
}, 120_000);

const builds = (events: ProgressEvent[]) => events.filter((e): e is BuildEvent => e.type === 'build');

describe('keys built as an index, then a constraint USING INDEX', () => {
  const events: ProgressEvent[] = [];

  beforeAll(async () => {
    const target = await createDatabase(cluster(), 'keys_exact');
    await restoreSchema({ source, target, schemas: ['keys'], suffix: '_r', jobs: 3, onProgress: (e) => events.push(e) });
  }, 300_000);

  test('pg_dump of the restored schema, name mapped back, equals the source\'s', () => {
    const original = comparableDump(cluster(), 'keys_src', ['--schema-only', '-n', 'keys']);
    const restored = comparableDump(cluster(), 'keys_exact', ['--schema-only', '-n', 'keys_r']);
    expect(restored.split('keys_r').join('keys')).toBe(original);
    for (const form of [/PRIMARY KEY \(id, region\) INCLUDE \(note\) WITH \(fillfactor='70'\)/, /UNIQUE \(ref\) DEFERRABLE INITIALLY DEFERRED/,
      /UNIQUE NULLS NOT DISTINCT \(label\)/, /tags_code_key; Type: CONSTRAINT; Schema: keys; Owner: \w+; Tablespace: fast/,
      /COMMENT ON CONSTRAINT tags_label_key/, /REPLICA IDENTITY USING INDEX tags_code_key/, /CLUSTER ON orders_pkey/,
      /ATTACH PARTITION keys.events_2024_pkey/, /EXCLUDE USING gist/, /FOREIGN KEY \(tag_code\) REFERENCES keys.tags\(code\)/]) {
      expect(original).toMatch(form);
    }
  });

  test('every table has the source\'s rows', async () => {
    for (const table of ['orders', 'tags', 'lines', 'events_2023', 'events_2024', 'bookings']) {
      expect(await tableDigest(cluster().url('keys_exact'), 'keys_r', table)).toEqual(await tableDigest(source, 'keys', table));
    }
  });

  test('plain tables\' keys were split, the partitioned table\'s key and the EXCLUDE were not', () => {
    const started = builds(events).filter((e) => e.status === 'start').map((e) => e.statement);
    const keys = ['orders_pkey', 'orders_ref_key', 'tags_pkey', 'tags_label_key', 'tags_code_key', 'Lines Key', 'events_2023_pkey', 'events_2024_pkey', 'bookings_pkey'];
    for (const key of keys) expect(started.filter((s) => s.startsWith(`CREATE UNIQUE INDEX "${key}"`))).toHaveLength(1);
    // The constraints over them (quoted as the plan writes them; events cut statements to 80 characters) start after their table's key indexes.
    const tableOf = (s: string, pattern: RegExp) => pattern.exec(s)?.[1];
    const constraints = started.map((s, i) => [tableOf(s, /^ALTER TABLE ONLY "pgsr_\w+"\."(\w+)" ADD CONSTRAINT "/), i] as const).filter(([t]) => t);
    expect(constraints).toHaveLength(keys.length);
    for (const [table, at] of constraints) {
      const indexes = started.map((s, i) => [tableOf(s, /^CREATE UNIQUE INDEX "[^"]+" ON "pgsr_\w+"\."(\w+)"/), i] as const).filter(([t]) => t === table);
      expect(indexes.length).toBeGreaterThan(0);
      for (const [, indexAt] of indexes) expect(at).toBeGreaterThan(indexAt);
    }
    expect(started.some((s) => /ALTER TABLE ONLY pgsr_\w+\.events ADD CONSTRAINT events_pkey PRIM/.test(s))).toBe(true);
    expect(started.some((s) => /ADD CONSTRAINT no_overlap EXCL/.test(s))).toBe(true);
  });

  test('the restored keys are real constraints: deferrable, nulls not distinct, and a duplicate is refused', async () => {
    await withClient(cluster().url('keys_exact'), async (c) => {
      const { rows } = await c.query(`SELECT conname, contype, condeferrable, condeferred, i.indisprimary, i.indnullsnotdistinct
        FROM pg_constraint JOIN pg_index i ON i.indexrelid = conindid WHERE connamespace = 'keys_r'::regnamespace AND contype IN ('p', 'u') ORDER BY conname`);
      expect(rows.find((r) => r.conname === 'orders_pkey')).toMatchObject({ contype: 'p', indisprimary: true });
      expect(rows.find((r) => r.conname === 'orders_ref_key')).toMatchObject({ condeferrable: true, condeferred: true, indisprimary: false });
      expect(rows.find((r) => r.conname === 'tags_label_key')).toMatchObject({ indnullsnotdistinct: true });
      await expect(c.query("INSERT INTO keys_r.tags VALUES (3, 'c', NULL)")).rejects.toThrow(/tags_label_key/);
    });
  });
});

describe('a key\'s index builds beside the table\'s other indexes', () => {
  test('the key index and a slow index of the same table are seen building at once; the constraint follows both', async () => {
    const target = await createDatabase(cluster(), 'keys_busy');
    const events: ProgressEvent[] = [];
    let together = false;
    let running = true;
    const sampler = withClient(cluster().url('postgres'), async (c) => {
      while (running) {
        const { rows } = await c.query<{ query: string }>("SELECT query FROM pg_stat_activity WHERE datname = 'keys_busy' AND state = 'active'");
        together ||= rows.some((r) => r.query.startsWith('CREATE UNIQUE INDEX "big_pkey"')) && rows.some((r) => r.query.startsWith('CREATE INDEX big_slow'));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    try {
      await restoreSchema({ source, target, schemas: ['busy'], suffix: '_r', jobs: 2, validate: false, onProgress: (e) => events.push(e) });
    } finally {
      running = false;
      await sampler;
    }
    expect(together).toBe(true);
    const order = builds(events).map((e) => `${e.status} ${e.statement.split(' ').slice(0, 4).join(' ')}`);
    const constraintStart = order.findIndex((s) => s.startsWith('start ALTER TABLE ONLY'));
    expect(constraintStart).toBeGreaterThan(order.indexOf('done CREATE UNIQUE INDEX "big_pkey"'));
    expect(constraintStart).toBeGreaterThan(order.indexOf('done CREATE INDEX big_slow ON'));
    expect(comparableDump(cluster(), 'keys_busy', ['--schema-only', '-n', 'busy_r']).split('busy_r').join('busy'))
      .toBe(comparableDump(cluster(), 'keys_src', ['--schema-only', '-n', 'busy']));
  }, 300_000);
});

// Each kind of build, run on a real server in a transaction, with the locks it then holds read from pg_locks.
const LOCKS_PRE = `CREATE SCHEMA l;
  CREATE TABLE l.orders (id int NOT NULL, ref text);
  CREATE TABLE l.items (order_id int NOT NULL, line int NOT NULL, product int);
  CREATE TABLE l.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE l.events_2024 PARTITION OF l.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  INSERT INTO l.orders SELECT g, 'r' || g FROM generate_series(1, 100) g;
  INSERT INTO l.items SELECT g, 1, g FROM generate_series(1, 100) g;`;
const LOCKS_POST = `ALTER TABLE ONLY l.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
  ALTER TABLE ONLY l.events_2024 ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, at);
  ALTER TABLE ONLY l.items ADD CONSTRAINT items_pkey PRIMARY KEY (order_id, line);
  ALTER TABLE ONLY l.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
  ALTER TABLE l.orders ADD CONSTRAINT orders_ref_check CHECK (ref <> '') NOT VALID;
  CREATE INDEX items_product ON l.items USING btree (product);
  ALTER INDEX l.events_pkey ATTACH PARTITION l.events_2024_pkey;
  ALTER TABLE ONLY l.items ADD CONSTRAINT items_order_fkey FOREIGN KEY (order_id) REFERENCES l.orders(id);`;

// pg_locks says `ShareRowExclusiveLock` for SHARE ROW EXCLUSIVE.
const pgLockName = (m: LockMode) => `${m.toLowerCase().replace(/(^| )(\w)/g, (_, __, c: string) => c.toUpperCase())}Lock`;
const PG_LOCK_MODES: Record<string, LockMode> = Object.fromEntries(LOCK_MODES.map((m) => [pgLockName(m), m]));

describe('the plan\'s lock modes are those PostgreSQL takes', () => {
  test('every build holds, on each table, the mode the plan says (an ATTACH at most that), and locks no other table', async () => {
    const url = await createDatabase(cluster(), 'keys_locks');
    await execSql(url, LOCKS_PRE);
    const ddl = await splitDdl(`${LOCKS_PRE}\n${LOCKS_POST}`);
    const plan = planPostData(ddl.postData, { preData: ddl.preData });
    expect(plan.builds.map((b) => b.kind)).toEqual(['key', 'key', 'key', 'key', 'key', 'constraint', 'index', 'key', 'attach', 'key', 'foreign-key']);
    await withClient(url, async (c) => {
      for (const build of plan.builds) {
        await c.query('BEGIN');
        await c.query(build.statement.sql);
        const { rows } = await c.query<{ relname: string; mode: string }>(`SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relnamespace = 'l'::regnamespace AND c.relkind IN ('r', 'p')`);
        await c.query('COMMIT');
        const held = new Map<string, LockMode>();
        for (const { relname, mode } of rows) {
          const m = PG_LOCK_MODES[mode];
          const key = relationKey('l', relname);
          if (LOCK_MODES.indexOf(m) > LOCK_MODES.indexOf(held.get(key) ?? 'ACCESS SHARE') || !held.has(key)) held.set(key, m);
        }
        expect([build.statement.sql, [...held.keys()].sort()]).toEqual([build.statement.sql, [...build.locks.keys()].sort()]);
        for (const [table, mode] of build.locks) {
          if (build.kind === 'attach') expect(LOCK_MODES.filter((m) => locksConflict(held.get(table)!, m)).every((m) => locksConflict(mode, m))).toBe(true);
          else expect([build.statement.sql, table, held.get(table)]).toEqual([build.statement.sql, table, mode]);
        }
      }
    });
  }, 60_000);
});
