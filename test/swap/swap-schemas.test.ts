import { Client } from 'pg';
import { LockTimeoutError, restoreSchema, SchemaRestoreError, swapSchemas } from '../../src';
import { connect } from '../../src/connection';

import { createSampleDatabases } from '../../src/testing';
import { comparableDump } from '../support/dump';
import { execSql, useLocalCluster, withClient } from '../support/postgres';

jest.setTimeout(120_000);

const cluster = useLocalCluster();
const LIVE = 'customer_a1';
const RESTORED = 'customer_a1_restored';
const T1 = new Date('2026-11-27T23:00:00Z');
const T2 = new Date('2026-11-27T23:05:00Z');
const KEPT1 = 'customer_a1_replaced_20261127230000';
const KEPT2 = 'customer_a1_replaced_20261127230500';
let url: string;

/** pg_dump (schema and data) of one schema, its name written as `as`. */
function dumpAs(schema: string, as: string = LIVE): string {
  return comparableDump(cluster(), 'tenants', ['-n', schema]).split(schema).join(as);
}

async function schemas(): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'customer\\_a1%' ORDER BY 1")).rows.map((r) => r.nspname));
}

/** Run `fn` in a transaction that is rolled back and put the sequences back (nextval is not rolled back), so the checks leave everything as it was. */
async function inRolledBack<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  return withClient(url, async (c) => {
    const { rows: sequences } = await c.query<{ name: string; last: string | null; called: boolean }>(
      `SELECT format('%I.%I', s.schemaname, s.sequencename) AS name, s.last_value AS last, s.last_value IS NOT NULL AS called
         FROM pg_sequences s WHERE s.schemaname LIKE 'customer\\_a1%'`);
    await c.query('BEGIN');
    try {
      return await fn(c);
    } finally {
      await c.query('ROLLBACK');
      for (const s of sequences) {
        await c.query(s.called ? 'SELECT setval($1::regclass, $2::bigint, true)' : 'SELECT setval($1::regclass, (SELECT start_value FROM pg_sequences WHERE format(\'%I.%I\', schemaname, sequencename) = $1), false)',
          s.called ? [s.name, s.last] : [s.name]);
      }
    }
  });
}

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 20, databases: { tenants: [LIVE] } })).tenants;
  // Besides the sample's routines (a plpgsql trigger function naming its schema, SET search_path, BEGIN ATOMIC, a sequence default
  // through a SQL function): a plain SQL function naming its schema, and default privileges in the schema.
  await execSql(url, `CREATE FUNCTION ${LIVE}.order_item_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM ${LIVE}.order_items $$;
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${LIVE} GRANT SELECT ON TABLES TO tenant_reader;`);
  await restoreSchema({ source: url, target: url, schemas: [LIVE], suffix: '_restored' });
  // The incident: order items lost in the live schema since the restore point.
  await execSql(url, `DELETE FROM ${LIVE}.order_items WHERE id % 2 = 0`);
});

describe('swapSchemas on a restored sample tenant', () => {
  let liveBefore: string;
  let restoredBefore: string;

  test('the restored schema takes the live name; each side is dumped exactly as before, names mapped', async () => {
    liveBefore = dumpAs(LIVE);
    restoredBefore = dumpAs(RESTORED);
    expect(restoredBefore).not.toEqual(liveBefore); // the lost rows tell them apart
    const result = await swapSchemas({ target: url, schema: LIVE, with: RESTORED, now: () => T1 });
    expect(result).toMatchObject({ schema: LIVE, with: RESTORED, keptAs: KEPT1, undo: false, tries: 1, warnings: [] });
    expect(result.routines).toEqual(expect.arrayContaining([`${LIVE}.audit_row_change()`, `${LIVE}.order_item_count()`, `${LIVE}.user_order_total(p_user_id integer)`,
      `${KEPT1}.audit_row_change()`, `${KEPT1}.next_invoice_number()`]));
    expect(await schemas()).toEqual([LIVE, KEPT1]);
    expect(dumpAs(LIVE)).toEqual(restoredBefore);
    expect(dumpAs(KEPT1)).toEqual(liveBefore);
  });

  test('after the swap each side refers only to itself: routines, triggers, search_path, sequence defaults, views', async () => {
    const counts = await inRolledBack(async (c) => {
      const one = async (sql: string): Promise<string> => Object.values((await c.query(sql)).rows[0])[0] as string;
      await c.query(`UPDATE ${LIVE}.orders SET status = 'paid' WHERE id = 1`);
      await c.query(`UPDATE ${KEPT1}.orders SET status = 'paid' WHERE id = 2`);
      await c.query(`UPDATE ${KEPT1}.orders SET status = 'shipped' WHERE id = 3`);
      return {
        liveItems: await one(`SELECT ${LIVE}.order_item_count()`),
        keptItems: await one(`SELECT ${KEPT1}.order_item_count()`),
        liveAudit: await one(`SELECT count(*) FROM ${LIVE}.audit_log WHERE changed_at = now()`),
        keptAudit: await one(`SELECT count(*) FROM ${KEPT1}.audit_log WHERE changed_at = now()`),
        liveTotal: await one(`SELECT ${LIVE}.user_order_total(1) = (SELECT sum(total) FROM ${LIVE}.orders WHERE user_id = 1)`),
        keptPath: await one(`SELECT array_to_string(proconfig, ';') FROM pg_proc WHERE oid = '${KEPT1}.user_order_total(integer)'::regprocedure`),
        liveInvoice: await one(`SELECT ${LIVE}.next_invoice_number() || ' ' || (SELECT last_value FROM ${LIVE}.invoice_number_seq)`),
        keptSequence: await one(`SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
          WHERE d.adrelid = '${KEPT1}.users'::regclass AND a.attname = 'id'`),
        keptView: await one(`SELECT pg_get_viewdef('${KEPT1}.user_order_summary'::regclass)`),
      };
    });
    const items = await withClient(url, async (c) => (await c.query<{ live: string; kept: string }>(
      `SELECT (SELECT count(*) FROM ${LIVE}.order_items) AS live, (SELECT count(*) FROM ${KEPT1}.order_items) AS kept`)).rows[0]);
    expect(Number(items.live)).toBeGreaterThan(Number(items.kept)); // the restored rows are live now
    expect(counts).toEqual({
      liveItems: items.live,
      keptItems: items.kept,
      liveAudit: '1',
      keptAudit: '2',
      liveTotal: true,
      keptPath: `search_path=${KEPT1}, pg_temp`,
      liveInvoice: expect.stringMatching(/^INV-0*(\d+) \1$/),
      keptSequence: `nextval('${KEPT1}.users_id_seq'::regclass)`,
      keptView: expect.stringContaining(`FROM (${KEPT1}.users u`),
    });
  });

  test('undo swaps back: the replaced schema is live again, the restored one is kept as replaced, both as before', async () => {
    const result = await swapSchemas({ target: url, schema: LIVE, undo: true, now: () => T2 });
    expect(result).toMatchObject({ schema: LIVE, with: KEPT1, keptAs: KEPT2, undo: true });
    expect(await schemas()).toEqual([LIVE, KEPT2]);
    expect(dumpAs(LIVE)).toEqual(liveBefore);
    expect(dumpAs(KEPT2)).toEqual(restoredBefore);
  });

  test('owners, grants, default privileges and RLS stay with their side', async () => {
    const access = async (schema: string): Promise<unknown> => withClient(url, async (c) => (await c.query(
      `SELECT n.nspowner::regrole::text AS owner, n.nspacl::text AS acl,
              (SELECT array_agg(defaclacl::text) FROM pg_default_acl WHERE defaclnamespace = n.oid) AS defaults,
              (SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = to_regclass(quote_ident($1) || '.orders')) AS rls,
              (SELECT count(*)::int FROM pg_policy WHERE polrelid = to_regclass(quote_ident($1) || '.orders')) AS policies
         FROM pg_namespace n WHERE n.nspname = $1`, [schema])).rows[0]);
    const live = await access(LIVE);
    expect(live).toEqual({ owner: 'tenants_owner', acl: expect.stringContaining('tenant_reader=U/'), defaults: [expect.stringContaining('tenant_reader=r/')], rls: true, policies: 2 });
    expect(await access(KEPT2)).toEqual(live);
  });
});

describe('swapSchemas and other sessions', () => {
  const fast = { lockTimeoutMs: 200, pausesMs: [100, 100] };

  test('a session holding a lock on a live table past every retry: refused, naming it (no literals), nothing changed', async () => {
    const before = await schemas();
    const holder = await connect(url, 'test', 'pgsr-test-holder');
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT count(*) FROM ${LIVE}.users WHERE email <> 'secret-literal@example.com'`);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const err = await swapSchemas({ target: url, schema: LIVE, with: KEPT2, ...fast }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
      expect((err as LockTimeoutError).holders.map((h) => h.pid)).toContain(pid);
      expect((err as Error).message).toMatch(new RegExp(`in 3 tries: held by pid ${pid} \\(user \\w+, pgsr-test-holder, idle in transaction`));
      expect((err as Error).message).not.toContain('secret-literal');
      expect((err as Error).message).toContain('nothing was changed');
    } finally {
      await holder.end();
    }
    expect(await schemas()).toEqual(before);
  });

  test('a concurrent reader waits at most about one lock timeout while the swap cannot get its locks', async () => {
    const holder = await connect(url, 'test', 'pgsr-test-holder');
    const reader = await connect(url, 'test', 'pgsr-test-reader');
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${LIVE}.users IN ACCESS SHARE MODE`); // users is locked last: the swap holds the others while it waits
      let swapping = true;
      const waits: number[] = [];
      const swap = swapSchemas({ target: url, schema: LIVE, with: KEPT2, ...fast }).catch((e: unknown) => e).finally(() => {
        swapping = false;
      });
      while (swapping) {
        const started = Date.now();
        await reader.query(`SELECT count(*) FROM ${LIVE}.audit_log`);
        waits.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await swap).toBeInstanceOf(LockTimeoutError);
      expect(Math.max(...waits)).toBeGreaterThanOrEqual(100); // it did queue behind the swap
      expect(Math.max(...waits)).toBeLessThan(200 + 250);
    } finally {
      await holder.end();
      await reader.end();
    }
  });
  test('an abort while the swap waits for a lock cancels the wait at once: AbortedError, nothing changed', async () => {
    const before = await schemas();
    const holder = await connect(url, 'test', 'pgsr-test-holder');
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${LIVE}.orders IN ACCESS SHARE MODE`);
      const controller = new AbortController();
      const started = Date.now();
      const swap = swapSchemas({ target: url, schema: LIVE, with: KEPT2, lockTimeoutMs: 30_000, signal: controller.signal }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 300);
      const err = await swap;
      expect((err as SchemaRestoreError).code).toBe('ABORTED');
      expect((err as Error).message).toBe('swap aborted; nothing was changed');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.end();
    }
    expect(await schemas()).toEqual(before);
  });
});

describe('swapSchemas with names that need quoting', () => {
  test('"Acme-Corp" and "Acme-Corp restored": renamed, and the routine of each side still names its own, search_path included', async () => {
    for (const [schema, rows] of [['Acme-Corp', 3], ['Acme-Corp restored', 10]] as const) {
      await execSql(url, `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".items AS SELECT generate_series(1, ${rows}) AS id;
        CREATE FUNCTION "${schema}".item_count() RETURNS bigint LANGUAGE sql SET search_path = "${schema}" AS $$ SELECT count(*) FROM "${schema}".items $$;`);
    }
    const result = await swapSchemas({ target: url, schema: 'Acme-Corp', with: 'Acme-Corp restored', keepAs: 'Acme "old"' });
    expect(result.routines).toEqual(['Acme "old".item_count()', 'Acme-Corp.item_count()']);
    const state = await withClient(url, async (c) => (await c.query(`SELECT "Acme-Corp".item_count() AS live, "Acme ""old""".item_count() AS kept,
      (SELECT array_to_string(proconfig, ';') FROM pg_proc WHERE oid = '"Acme ""old""".item_count()'::regprocedure) AS path,
      (SELECT prosrc FROM pg_proc WHERE oid = '"Acme-Corp".item_count()'::regprocedure) AS body`)).rows[0]);
    expect(state).toEqual({ live: '10', kept: '3', path: 'search_path="Acme ""old"""', body: ' SELECT count(*) FROM "Acme-Corp".items ' });
  });
});

describe('swapSchemas refuses', () => {
  beforeAll(async () => {
    await execSql(url, 'CREATE SCHEMA pgsr_0badc0de_0; CREATE SCHEMA other_replaced_20240101000000; CREATE SCHEMA other_replaced_20240102000000; CREATE SCHEMA other');
  });

  test('a role that does not own the schemas: the server\'s refusal in one line (DDL_ERROR), nothing changed', async () => {
    await execSql(url, "CREATE ROLE swapper LOGIN PASSWORD 'swapper-pw'");
    const asSwapper = new URL(url);
    asSwapper.username = 'swapper';
    asSwapper.password = 'swapper-pw';
    const before = await schemas();
    const err = await swapSchemas({ target: asSwapper.toString(), schema: LIVE, with: KEPT2 }).catch((e: unknown) => e);
    expect((err as SchemaRestoreError).code).toBe('DDL_ERROR');
    expect((err as Error).message).toMatch(/^the target refused to swap "customer_a1" with "customer_a1_replaced_20261127230500": permission denied .*; nothing was changed/);
    expect(await schemas()).toEqual(before);
  });

  test.each([
    ['an unknown schema', { schema: 'no_such_schema', with: LIVE }, 'SCHEMA_NOT_FOUND', /schema "no_such_schema" does not exist in the target database/],
    ['an unknown replacement', { schema: LIVE, with: 'no_such_schema' }, 'SCHEMA_NOT_FOUND', /"no_such_schema" does not exist/],
    ['the same schema twice', { schema: LIVE, with: LIVE }, 'INVALID_INPUT', /--schema and --with both name "customer_a1"/],
    ['a taken --keep-as', { schema: LIVE, with: KEPT2, keepAs: 'other' }, 'SCHEMA_EXISTS', /schema "other" already exists/],
    ['a staging schema', { schema: LIVE, with: 'pgsr_0badc0de_0' }, 'INVALID_INPUT', /--with "pgsr_0badc0de_0" is a staging schema/],
    ['a system schema', { schema: 'pg_catalog', with: LIVE }, 'INVALID_INPUT', /--schema "pg_catalog" is a system schema/],
    ['no --with', { schema: LIVE }, 'INVALID_INPUT', /missing --with <schema>/],
    ['undo with nothing replaced', { schema: KEPT2, undo: true }, 'SWAP_UNDO_UNCLEAR', /nothing to undo for "customer_a1_replaced_20261127230500"/],
    ['undo with several replaced', { schema: 'other', undo: true }, 'SWAP_UNDO_UNCLEAR', /several replaced schemas .*"other_replaced_20240101000000", "other_replaced_20240102000000"\); name one with --with/],
  ])('%s, changing nothing', async (_what, options, code, message) => {
    const before = await schemas();
    const err = await swapSchemas({ target: url, ...options }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRestoreError);
    expect((err as SchemaRestoreError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    expect(await schemas()).toEqual(before);
  });
});
