import { AbortedError, DdlError, ProgressEvent, restoreSchema } from '../../src';
import { comparableDump } from '../support/dump';
import { createDatabase, execSql, stagingLikeSchemas, tableDigest, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();

// Post-data of every kind the scheduler orders: several indexes per table, keys, a partial unique
// index, a CHECK added NOT VALID, CLUSTER ON, replica identity, a foreign key between the tables and
// one to a partitioned table's key, partitioned indexes, an exclusion constraint, a trigger, RLS and
// a policy, comments on an index and a constraint. Each row loaded into `orders` passes a CHECK that
// sleeps a millisecond, so its copy takes seconds while the small tables copy and their keys build.
const SHOP = `CREATE SCHEMA shop;
  CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
  CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL CONSTRAINT email_unique UNIQUE, name text);
  CREATE INDEX customers_name ON shop.customers (name);
  CREATE INDEX customers_lower_email ON shop.customers (lower(email));
  ALTER TABLE shop.customers REPLICA IDENTITY USING INDEX email_unique;
  ALTER TABLE shop.customers ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own ON shop.customers USING (email = current_user);
  CREATE FUNCTION shop.slowly(x bigint) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN x > 0; END $$;
  CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES shop.customers(id), placed date NOT NULL,
    total numeric NOT NULL, note text, updated timestamptz, CONSTRAINT positive_id CHECK (shop.slowly(id)));
  CREATE INDEX orders_customer ON shop.orders (customer_id);
  CREATE INDEX orders_placed ON shop.orders (placed DESC);
  CREATE UNIQUE INDEX orders_note ON shop.orders (note) WHERE note IS NOT NULL;
  COMMENT ON INDEX shop.orders_placed IS 'newest first';
  CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
  CREATE TABLE shop.events (id int, at date, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE shop.events_2023 PARTITION OF shop.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
  CREATE TABLE shop.events_2024 PARTITION OF shop.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE INDEX events_kind ON shop.events (kind);
  CREATE TABLE shop.bookings (id int PRIMARY KEY, during tsrange NOT NULL, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));
  COMMENT ON CONSTRAINT no_overlap ON shop.bookings IS 'one booking at a time';
  CREATE TABLE shop.order_events (order_id bigint REFERENCES shop.orders(id), event_id int, event_at date,
    FOREIGN KEY (event_id, event_at) REFERENCES shop.events(id, at));
  INSERT INTO shop.customers SELECT g, 'c' || g || '@example.com', 'name ' || (g % 97) FROM generate_series(1, 2000) g;
  INSERT INTO shop.orders SELECT g, 1 + g % 2000, DATE '2024-01-01' + g % 365, g % 1000, CASE WHEN g % 10 = 0 THEN 'note ' || g END, NULL
    FROM generate_series(1, 3000) g;
  INSERT INTO shop.events SELECT g, DATE '2023-06-01' + g % 400, 'kind ' || g % 7 FROM generate_series(1, 1000) g;
  INSERT INTO shop.bookings SELECT g, tsrange(TIMESTAMP '2024-01-01' + g * INTERVAL '1 hour', TIMESTAMP '2024-01-01' + (g + 1) * INTERVAL '1 hour') FROM generate_series(1, 100) g;
  INSERT INTO shop.order_events SELECT g, g, DATE '2023-06-01' + g % 400 FROM generate_series(1, 1000) g;
  ALTER TABLE shop.orders ADD CONSTRAINT orders_total CHECK (total >= 0) NOT VALID;
  ALTER TABLE shop.orders CLUSTER ON orders_placed;`;

// A unique index whose expression reads a setting: in a target database that sets it, every row maps to 0.
const DUP = `CREATE SCHEMA dup;
  CREATE FUNCTION dup.bucket(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN current_setting('pgsr_test.collapse', true) = 'on' THEN 0 ELSE x END $$;
  CREATE TABLE dup.small (id int);
  INSERT INTO dup.small SELECT generate_series(1, 100);
  CREATE UNIQUE INDEX small_bucket ON dup.small (dup.bucket(id));
  CREATE TABLE dup.large AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 600000) g;`;

// An index that takes seconds to build: its expression sleeps per row.
const SLOW = `CREATE SCHEMA slow;
  CREATE FUNCTION slow.wait(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN x; END $$;
  CREATE TABLE slow.t (id int PRIMARY KEY);
  INSERT INTO slow.t SELECT generate_series(1, 1000);
  CREATE INDEX t_wait ON slow.t (slow.wait(id));`;

let source = '';

beforeAll(async () => {
  source = await createDatabase(cluster(), 'builds_src');
  await execSql(source, `${SHOP}\n${DUP}\n${SLOW}`);
}, 120_000);

/** The most connections of pg-schema-restore open at once (parallel index build workers are not connections) in `database` while `run` runs, sampled every 10 ms. */
async function peakSessions<T>(database: string, run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  let running = true;
  const sampler = withClient(cluster().url('postgres'), async (c) => {
    while (running) {
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'pg-schema-restore%' AND backend_type = 'client backend'", [database]);
      peak = Math.max(peak, rows[0].n);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  try {
    return { result: await run(), peak };
  } finally {
    running = false;
    await sampler;
  }
}

describe('post-data builds run in parallel, as each table is copied', () => {
  const events: ProgressEvent[] = [];
  let peak = 0;

  beforeAll(async () => {
    const target = await createDatabase(cluster(), 'builds_exact');
    ({ peak } = await peakSessions('builds_exact', () => restoreSchema({
      // Not split: one worker copies all of orders.
      source, target, schemas: ['shop'], suffix: '_r', jobs: 2, splitTablesLargerThan: 0, onProgress: (e) => events.push(e),
    })));
  }, 300_000);

  test('pg_dump of the restored schema, name mapped back, equals the source\'s', () => {
    const original = comparableDump(cluster(), 'builds_src', ['--schema-only', '-n', 'shop']);
    const restored = comparableDump(cluster(), 'builds_exact', ['--schema-only', '-n', 'shop_r']);
    expect(restored.split('shop_r').join('shop')).toBe(original);
    for (const kind of [/EXCLUDE USING gist/, /ATTACH PARTITION/, /CREATE POLICY/, /CLUSTER ON/, /REPLICA IDENTITY USING INDEX/, /CREATE TRIGGER/, /NOT VALID/]) {
      expect(original).toMatch(kind);
    }
  });

  test('every table has the source\'s rows', async () => {
    for (const table of ['customers', 'orders', 'events_2023', 'events_2024', 'bookings', 'order_events']) {
      expect(await tableDigest(cluster().url('builds_exact'), 'shop_r', table)).toEqual(await tableDigest(source, 'shop', table));
    }
  });

  test('small tables\' indexes build while the large table is still being copied', () => {
    // With jobs 2, one worker copies orders while the other copies the small tables and then frees its session for builds.
    const copyDone = events.findIndex((e) => e.type === 'phase' && e.phase === 'copy' && e.status === 'done');
    const ordersCopied = events.findIndex((e) => e.type === 'table' && e.table === 'orders' && e.status === 'done');
    const firstBuild = events.findIndex((e) => e.type === 'build' && e.status === 'done');
    expect(firstBuild).toBeGreaterThan(-1);
    expect(firstBuild).toBeLessThan(ordersCopied);
    expect(ordersCopied).toBeLessThan(copyDone);
    const builds = events.filter((e) => e.type === 'build' && e.status === 'done');
    expect(builds.length).toBeGreaterThanOrEqual(12);
    expect(builds[builds.length - 1]).toMatchObject({ built: builds.length, total: builds.length });
    expect(events.some((e) => e.type === 'phase' && e.phase === 'post-data' && e.status === 'done')).toBe(true);
  });

  test('the target sessions stay within jobs + 1 (the copy workers and the builds share jobs; one DDL session)', () => {
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(3);
  });
});

describe('a failing build', () => {
  test('names its statement, stops the copy, publishes nothing and leaves no staging schema', async () => {
    const target = await createDatabase(cluster(), 'builds_dup');
    await execSql(cluster().url('postgres'), 'ALTER DATABASE builds_dup SET pgsr_test.collapse = on');
    const events: ProgressEvent[] = [];
    const err = await restoreSchema({ source, target, schemas: ['dup'], suffix: '_r', jobs: 2, onProgress: (e) => events.push(e) }).catch((e) => e);
    expect(err).toBeInstanceOf(DdlError);
    expect(err.message).toMatch(/CREATE UNIQUE INDEX small_bucket ON pgsr_\w+\.small/);
    expect(err.message).toMatch(/could not create unique index "small_bucket"/);
    // The build failed while the large table was still being copied (most runs) or after: either way its error is the one told.
    expect(events.some((e) => e.type === 'build' && e.status === 'start' && e.statement.includes('small_bucket'))).toBe(true);
    expect(await stagingLikeSchemas(target)).toEqual([]);
    await withClient(target, async (c) => {
      expect((await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'dup_r'")).rows).toEqual([]);
    });
    expect(await waitForNoBackends(cluster())).toEqual([]);
  }, 120_000);
});

describe('an abort during a build', () => {
  test('cancels it at once, closes every session and drops the staging schema', async () => {
    const target = await createDatabase(cluster(), 'builds_abort');
    const controller = new AbortController();
    let abortedAt = 0;
    const events: ProgressEvent[] = [];
    const err = await restoreSchema({
      source,
      target,
      schemas: ['slow'],
      suffix: '_r',
      jobs: 2,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e);
        if (e.type === 'build' && e.status === 'start' && e.statement.includes('t_wait')) {
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort();
          }, 500);
        }
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(2_000);
    expect(events.some((e) => e.type === 'build' && e.status === 'done' && e.statement.includes('t_wait'))).toBe(false);
    expect(await stagingLikeSchemas(target)).toEqual([]);
    expect(await waitForNoBackends(cluster())).toEqual([]);
  }, 120_000);
});
