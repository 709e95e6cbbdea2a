import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { connect } from '../../src/connection';
import { fakeCli } from '../support/cli';
import { removeBundledCli, startCli } from '../support/cli-process';
import { createDatabase, createSchemaWithDdl, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

jest.setTimeout(60_000);

const PASSWORD = 'sw4p-s3cret';
const cluster = useLocalCluster({ password: PASSWORD });
const TENANT_DDL = `CREATE TABLE items (id int PRIMARY KEY, name text);
  CREATE VIEW item_names AS SELECT name FROM items;`;
let url: string;

/** A tenant schema whose function names it, holding `rows` items. */
async function createTenant(schema: string, rows: number): Promise<void> {
  await createSchemaWithDdl(url, schema, `${TENANT_DDL}
    INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, ${rows}) g;
    CREATE FUNCTION item_count() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM ${schema}.items); END $$;`);
}

async function schemas(): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shop%' ORDER BY 1")).rows.map((r) => r.nspname));
}

async function itemCount(schema: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query(`SELECT ${schema}.item_count() AS n`)).rows[0].n));
}

beforeAll(async () => {
  url = await createDatabase(cluster(), 'tenants');
  await createTenant('shop', 3);
  await createTenant('shop_restored', 10);
});

describe('pg-schema-restore swap against a real server', () => {
  test('--json: swaps, prints the result as one JSON object; the routines name their own side; the password in argv is warned about', async () => {
    const cli = fakeCli(async () => {
      throw new Error('swap never restores');
    });
    const code = await runCli(['swap', '--target', url, '--schema', 'shop', '--with', 'shop_restored', '--json'], cli.deps);
    expect(cli.stderr.lines()).toEqual([`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`]);
    expect(code).toBe(0);
    expect(cli.stdout.lines()).toHaveLength(1);
    expect(JSON.parse(cli.stdout.text)).toEqual({
      schema: 'shop',
      with: 'shop_restored',
      keptAs: 'shop_replaced_20240128143000',
      undo: false,
      routines: ['shop.item_count()', 'shop_replaced_20240128143000.item_count()'],
      warnings: [],
      tries: 1,
      durationMs: 0,
    });
    expect(await schemas()).toEqual(['shop', 'shop_replaced_20240128143000']);
    expect(await itemCount('shop')).toBe(10);
    expect(await itemCount('shop_replaced_20240128143000')).toBe(3);
  });

  test('--undo with the target from PGSR_TARGET: swaps back, a human summary on stdout, no warning', async () => {
    const cli = fakeCli(async () => {
      throw new Error('swap never restores');
    }, { now: () => new Date('2024-01-28T15:00:00Z') });
    process.env.PGSR_TARGET = url;
    try {
      expect(await runCli(['swap', '--schema', 'shop', '--undo', '-q'], cli.deps)).toBe(0);
    } finally {
      delete process.env.PGSR_TARGET;
    }
    expect(cli.stderr.text).toBe('');
    expect(cli.stdout.lines()).toEqual([
      'Swapped back: "shop_replaced_20240128143000" is now "shop"; the previous "shop" is kept as "shop_replaced_20240128150000".',
      'Rewrote 2 routines to name their own schema: shop.item_count(), shop_replaced_20240128150000.item_count().',
      'To swap again: pg-schema-restore swap --schema shop --undo',
    ]);
    expect(await schemas()).toEqual(['shop', 'shop_replaced_20240128150000']);
    expect(await itemCount('shop')).toBe(3);
  });

  test.each([
    [['--schema', 'shop'], /^pg-schema-restore: missing --with <name>: the restored schema that takes the place of "shop"/],
    [['--schema', 'shop', '--with', 'nope'], /^pg-schema-restore: schema "nope" does not exist in the target database/],
    [['--schema', 'shop', '--with', 'shop'], /^pg-schema-restore: --schema and --with both name "shop"/],
    [['--schema', 'shop', '--with', 'shop_replaced_20240128150000', '--keep-as', 'pg_shop'], /^pg-schema-restore: --keep-as "pg_shop" is a system schema/],
    [['--schema', 'shop', '--with', 'shop_replaced_20240128150000', '--lock-timeout', 'soon'], /^pg-schema-restore: --lock-timeout must be a positive duration/],
    [['--with', 'shop_replaced_20240128150000'], /^pg-schema-restore: missing --schema <name>/],
  ])('bad input %j: one line, exit 2, the JSON error on stdout, nothing changed', async (args, message) => {
    const before = await schemas();
    const cli = fakeCli(async () => {
      throw new Error('swap never restores');
    });
    expect(await runCli(['swap', '--target', url, ...args, '--json', '-q'], cli.deps)).toBe(2);
    expect(cli.stderr.lines()).toEqual([expect.stringMatching(message)]);
    expect(JSON.parse(cli.stdout.text)).toEqual({ error: { code: expect.stringMatching(/^(INVALID_INPUT|SCHEMA_NOT_FOUND)$/), message: expect.any(String) } });
    expect(cli.stderr.text + cli.stdout.text).not.toContain(PASSWORD);
    expect(await schemas()).toEqual(before);
  });

  test('a session holding a lock on a live table: exit 1, one line naming it, nothing changed', async () => {
    const holder = await connect(url, 'test', 'pgsr-test-holder');
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM shop.items');
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const cli = fakeCli(async () => {
        throw new Error('swap never restores');
      });
      const code = await runCli(['swap', '--target', url, '--schema', 'shop', '--with', 'shop_replaced_20240128150000', '--lock-timeout', '100ms'], cli.deps);
      expect(code).toBe(1);
      const attempt = (n: number): string => `2024-01-28T14:30:00.000Z warning: other sessions hold locks on tables of "shop" or "shop_replaced_20240128150000" (attempt ${n})`;
      expect(cli.stderr.lines()).toEqual([
        `pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`,
        '2024-01-28T14:30:00.000Z info: swapping: "shop" becomes "shop_replaced_20240128143000", "shop_replaced_20240128150000" becomes "shop"',
        attempt(1), attempt(2), attempt(3), attempt(4), attempt(5),
        expect.stringMatching(new RegExp('^pg-schema-restore: swapping "shop" with "shop_replaced_20240128150000" needs every table of both locked, ' +
          `which could not be had within 100 ms in 5 tries: held by pid ${pid} \\(user postgres, pgsr-test-holder, idle in transaction since [^)]*, AccessShareLock on shop.items, ` +
          'last ran: SELECT pg_backend_pid\\(\\) AS pid\\); nothing was changed; end or commit that session and run the swap again$')),
      ]);
    } finally {
      await holder.end();
    }
    expect(await schemas()).toEqual(['shop', 'shop_replaced_20240128150000']);
  });
});

describe('kill -9 of the swap process while it waits for its locks', () => {
  afterAll(() => removeBundledCli());

  /** The locks sessions other than `except` hold on tables of the schemas: `pid mode relation`. */
  async function locksOn(names: string[], except: number): Promise<string[]> {
    return withClient(url, async (c) => (await c.query<{ lock: string }>(
      `SELECT l.pid || ' ' || l.mode || ' ' || l.relation::regclass::text || CASE WHEN l.granted THEN '' ELSE ' (waiting)' END AS lock
         FROM pg_locks l JOIN pg_class t ON t.oid = l.relation JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = ANY($1::text[]) AND t.relkind = 'r' AND l.pid NOT IN ($2, pg_backend_pid()) ORDER BY 1`, [names, except])).rows.map((r) => r.lock));
  }

  test('mid-transaction (one table locked, waiting for the other): both schemas unchanged, and its session and locks gone while the other session still holds its lock', async () => {
    await createTenant('kill_live', 3);
    await createTenant('kill_restored', 10);
    const holder = await connect(url, 'test', 'pgsr-test-holder');
    try {
      // The swap locks kill_live.items first, then waits for kill_restored.items, which this session holds.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE kill_restored.items IN ACCESS SHARE MODE');
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const swap = startCli(['swap', '--schema', 'kill_live', '--with', 'kill_restored', '--lock-timeout', '5s'], { env: { PGSR_TARGET: url } });
      let held: string[] = [];
      for (const deadline = Date.now() + 30_000; !held.some((l) => l.endsWith('(waiting)')); await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > deadline) throw new Error(`the swap never waited for its lock:\n${swap.output()}`);
        held = await locksOn(['kill_live', 'kill_restored'], holderPid);
      }
      expect(held).toEqual([expect.stringMatching(/^\d+ AccessExclusiveLock kill_live\.items$/), expect.stringMatching(/^\d+ AccessExclusiveLock kill_restored\.items \(waiting\)$/)]);
      swap.child.kill('SIGKILL');
      expect((await swap.exited).signal).toBe('SIGKILL');
      // Its server session ends by itself (its connection check, at the latest its 5 s lock timeout) though the holder still holds its lock.
      expect(await waitForNoBackends(cluster(), 15_000)).toEqual([]);
      expect(await locksOn(['kill_live', 'kill_restored'], holderPid)).toEqual([]);
      expect((await holder.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await holder.end();
    }
    expect(await withClient(url, async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'kill%' ORDER BY 1")).rows.map((r) => r.nspname)))
      .toEqual(['kill_live', 'kill_restored']);
    expect(await itemCount('kill_live')).toBe(3);
    expect(await itemCount('kill_restored')).toBe(10);
  }, 90_000);
});
