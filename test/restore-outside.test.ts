import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { InvalidInputError, LockTimeoutError, restoreSchema } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, TEST_APPLICATION_NAME, useLocalCluster, withClient } from './support/postgres';
import { connect } from '../src/connection';

const cluster = useLocalCluster();

let n = 0;
async function database(setup: string): Promise<{ url: string; name: string }> {
  n += 1;
  const name = `live_${n}`;
  const url = await createDatabase(cluster(), name);
  await execSql(url, setup);
  return { url, name };
}

const SHARED = `CREATE TABLE public.regions (id int PRIMARY KEY, name text, hits int NOT NULL DEFAULT 0);
  INSERT INTO public.regions SELECT g, 'r' || g, 0 FROM generate_series(1, 5) g;
  CREATE SCHEMA c;
  CREATE TABLE c.orders (id int PRIMARY KEY, region_id int NOT NULL REFERENCES public.regions(id), total numeric);
  INSERT INTO c.orders SELECT g, 1 + g % 5, g * 1.5 FROM generate_series(1, 500) g;`;

/** Everything of the database except the restored schema, schema and data: must not change. */
const outsideDump = (name: string, restored: string) => comparableDump(cluster(), name, [`--exclude-schema=${restored}`]);

/**
 * Writers of a shared table: one UPDATE after another on their own connection until stopped,
 * recording when each completed, so a stall shows as a gap.
 */
async function startWriters(url: string): Promise<{ stop(): Promise<number[]> }> {
  const client = await connect(url, 'test', TEST_APPLICATION_NAME);
  const done: number[] = [Date.now()];
  let running = true;
  const deadline = Date.now() + 60_000;
  const loop = (async () => {
    while (running && Date.now() < deadline) {
      await client.query('UPDATE public.regions SET hits = hits + 1 WHERE id = 2');
      done.push(Date.now());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      done.push(Date.now());
      return done;
    },
  };
}

const longestGap = (times: number[]) => Math.max(...times.slice(1).map((t, i) => t - times[i]));

/** A session with an open transaction that wrote to the shared table (as any busy application has). */
async function openWriterTransaction(url: string): Promise<{ pid: number; client: Client }> {
  const client = await connect(url, 'test', 'busy-app');
  await client.query('BEGIN');
  await client.query('UPDATE public.regions SET name = name WHERE id = 1');
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { pid: rows[0].pid, client };
}

describe('a foreign key to a shared table never stalls its live writers', () => {
  test('blocked: writers keep completing, the restore stops naming the blocking session, and nothing is left', async () => {
    const { url, name } = await database(SHARED);
    const before = comparableDump(cluster(), name, ['--schema-only', '--exclude-schema=c_x']);
    const regions = 'SELECT id, name FROM public.regions ORDER BY id';
    const regionsBefore = await withClient(url, async (c) => (await c.query(regions)).rows);
    const busy = await openWriterTransaction(url);
    const writers = await startWriters(url);
    const started = Date.now();
    const err = await restoreSchema({ source: url, target: url, schemas: ['c'], suffix: '_x', lockTimeoutMs: 300 }).catch((e) => e);
    const times = await writers.stop();
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(err.code).toBe('LOCK_TIMEOUT');
    expect(err.message).toMatch(/adding foreign key orders_region_id_fkey \(to public\.regions\) needs a lock on public\.regions, which could not be had within 300 ms in 5 tries/);
    expect(err.message).toContain(`pid ${busy.pid} (user postgres, busy-app, idle in transaction since`);
    expect(err.holders.map((h: { pid: number }) => h.pid)).toEqual([busy.pid]);
    // Five waits of 300 ms with pauses between: the writers went on all the while.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(longestGap(times)).toBeLessThan(1_000);
    expect(times.length).toBeGreaterThan(20);
    await busy.client.query('ROLLBACK');
    await busy.client.end();
    await withClient(url, async (c) => {
      const { rows } = await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr\\_%' OR nspname = 'c_x'");
      expect(rows).toEqual([]);
    });
    expect(comparableDump(cluster(), name, ['--schema-only', '--exclude-schema=c_x'])).toBe(before);
    expect(await withClient(url, async (c) => (await c.query(regions)).rows)).toEqual(regionsBefore);
  });

  test('free: the key is added NOT VALID, then validated, while writers go on; the schema is exact', async () => {
    const { url, name } = await database(SHARED);
    const writers = await startWriters(url);
    const report = await restoreSchema({ source: url, target: url, schemas: ['c'], suffix: '_y' });
    const times = await writers.stop();
    expect(report.schemas[0].restored).toBe('c_y');
    expect(longestGap(times)).toBeLessThan(1_500);
    await withClient(url, async (c) => {
      const { rows } = await c.query<{ convalidated: boolean; ref: string }>(
        "SELECT convalidated, confrelid::regclass::text AS ref FROM pg_constraint WHERE conrelid = 'c_y.orders'::regclass AND contype = 'f'");
      expect(rows).toEqual([{ convalidated: true, ref: 'regions' }]);
    });
    const restored = comparableDump(cluster(), name, ['--schema-only', '-n', 'c_y']).replace(/c_y/g, 'c');
    expect(restored).toBe(comparableDump(cluster(), name, ['--schema-only', '-n', 'c']));
  });

  test("the database's own lock_timeout wins when shorter; pg_dump's SET lock_timeout = 0 is not replayed", async () => {
    const { url, name } = await database(SHARED);
    await execSql(url, `ALTER DATABASE ${name} SET lock_timeout = '150ms'`);
    const busy = await openWriterTransaction(url);
    try {
      const err = await restoreSchema({ source: url, target: url, schemas: ['c'], suffix: '_z' }).catch((e) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect(err.message).toMatch(/within 150 ms in 5 tries/);
    } finally {
      await busy.client.query('ROLLBACK');
      await busy.client.end();
    }
  });

  test('a restored key whose rows reference rows gone from the live table stays NOT VALID, with a warning', async () => {
    const { url } = await database(`${SHARED}
      CREATE SCHEMA past; CREATE TABLE past.orders (id int PRIMARY KEY, region_id int NOT NULL REFERENCES public.regions(id));`);
    // The past references region 9, which the live table no longer has: restore from another database holding it.
    const { url: pastUrl } = await database(`${SHARED} INSERT INTO public.regions VALUES (9, 'gone', 0); INSERT INTO c.orders VALUES (1000, 9, 1);`);
    const report = await restoreSchema({ source: pastUrl, target: url, schemas: ['c'], suffix: '_p' });
    expect(report.warnings.join('\n')).toMatch(/foreign key orders_region_id_fkey of "c_p"\."orders" was left NOT VALID: restored rows reference rows of public\.regions that the live table no longer has/);
    await withClient(url, async (c) => {
      const { rows } = await c.query("SELECT convalidated FROM pg_constraint WHERE conrelid = 'c_p.orders'::regclass AND contype = 'f'");
      expect(rows).toEqual([{ convalidated: false }]);
      expect((await c.query('SELECT count(*)::int AS n FROM c_p.orders')).rows[0].n).toBe(501);
    });
  });
});

test('a restore killed (kill -9) while it waits for a lock leaves the lock queue within seconds', async () => {
  const { url } = await database(SHARED);
  const busy = await openWriterTransaction(url);
  const root = join(__dirname, '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(root, 'src', 'cli', 'main.ts'),
    'restore', '--source', url, '--target', url, '--schema', 'c', '--suffix', '_k', '--lock-timeout', '60s'], {
    cwd: root, stdio: 'ignore', env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1' },
  });
  const waiting = "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'pg-schema-restore%' AND wait_event_type = 'Lock'";
  try {
    await withClient(url, async (c) => {
      const deadline = Date.now() + 60_000;
      while ((await c.query(waiting)).rows.length === 0) {
        if (Date.now() > deadline) throw new Error('the restore never waited for the lock');
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      const killed = Date.now();
      while ((await c.query(waiting)).rows.length > 0) {
        if (Date.now() - killed > 10_000) throw new Error('the dead restore\'s backend is still in the lock queue');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Date.now() - killed).toBeLessThan(4_000);
      // Writers no longer queue behind it.
      await c.query("SET statement_timeout = '2s'");
      await c.query('UPDATE public.regions SET hits = hits + 1 WHERE id = 3');
    });
  } finally {
    child.kill('SIGKILL');
    await busy.client.query('ROLLBACK');
    await busy.client.end();
  }
});

const EVENTS = `CREATE TABLE public.events (id int NOT NULL, at timestamptz DEFAULT now(), kind text COLLATE "C" CHECK (kind <> ''));
  INSERT INTO public.events SELECT g, now(), 'k' FROM generate_series(1, 1000) g;
  CREATE SCHEMA t;
  CREATE TABLE t.events (extra text) INHERITS (public.events);
  INSERT INTO t.events SELECT g, now(), 't', 'x' || g FROM generate_series(1, 1000) g;
  CREATE TABLE t.plain (id int PRIMARY KEY);`;

const PARTITIONED = `CREATE TABLE public.measures (tenant text NOT NULL, v int) PARTITION BY LIST (tenant);
  CREATE SCHEMA m;
  CREATE TABLE m.measures PARTITION OF public.measures FOR VALUES IN ('m');
  INSERT INTO public.measures SELECT 'm', g FROM generate_series(1, 300) g;`;

describe('nothing outside the restored schema is attached to or altered', () => {
  test.each([
    ['INHERITS a shared parent', EVENTS, 't', /^table t\.events inherits from public\.events, outside the restored schemas: restoring it would add its rows to every query of the live public\.events; nothing was written\. Pass --detach-outside/],
    ['a partition of a shared parent', PARTITIONED, 'm', /^table m\.measures is a partition of public\.measures, outside the restored schemas: restoring it would attach it to the live public\.measures; nothing was written\. Pass --detach-outside/],
  ])('%s is refused with one line, before anything is written', async (_what, setup, schema, message) => {
    const { url, name } = await database(setup);
    const before = comparableDump(cluster(), name, []);
    const err = await restoreSchema({ source: url, target: url, schemas: [schema], suffix: '_r' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('OUTSIDE_OBJECT');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(comparableDump(cluster(), name, [])).toBe(before);
  });

  test('--detach-outside: an inheriting table becomes a standalone table with the same columns; the live parent is unchanged', async () => {
    const { url, name } = await database(EVENTS);
    const before = outsideDump(name, 't_r');
    const report = await restoreSchema({ source: url, target: url, schemas: ['t'], suffix: '_r', detachOutside: true });
    expect(report.warnings).toContainEqual(expect.stringMatching(/^table t\.events inherits from public\.events.*; it was restored as a standalone table with the same columns/));
    expect(outsideDump(name, 't_r')).toBe(before);
    await withClient(url, async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM public.events')).rows[0].n).toBe(2000);
      expect((await c.query("SELECT count(*)::int AS n FROM pg_inherits WHERE inhrelid = 't_r.events'::regclass")).rows[0].n).toBe(0);
      const columns = async (rel: string) => (await c.query(
        `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull, attcollation::regcollation::text AS coll
           FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [rel])).rows;
      expect(await columns('t_r.events')).toEqual(await columns('t.events'));
      const check = await c.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 't_r.events'::regclass AND contype = 'c'");
      expect(check.rows).toEqual([{ def: "CHECK ((kind <> ''::text))" }]);
      const digest = (rel: string) => c.query(`SELECT count(*)::int AS n, md5(string_agg(x::text, ',' ORDER BY x::text)) AS d FROM ONLY ${rel} x`);
      expect((await digest('t_r.events')).rows).toEqual((await digest('t.events')).rows);
    });
  });

  test('--detach-outside: a partition of a shared parent stays unattached', async () => {
    const { url, name } = await database(PARTITIONED);
    const before = outsideDump(name, 'm_r');
    const report = await restoreSchema({ source: url, target: url, schemas: ['m'], suffix: '_r', detachOutside: true });
    expect(report.warnings).toContainEqual(expect.stringMatching(/^table m\.measures is a partition of public\.measures.*not attached/));
    expect(outsideDump(name, 'm_r')).toBe(before);
    await withClient(url, async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM public.measures')).rows[0].n).toBe(300);
      expect((await c.query('SELECT count(*)::int AS n FROM m_r.measures')).rows[0].n).toBe(300);
      expect((await c.query("SELECT relispartition FROM pg_class WHERE oid = 'm_r.measures'::regclass")).rows[0].relispartition).toBe(false);
    });
  });
});
