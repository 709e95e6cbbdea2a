import { ProgressEvent, restoreSchema, RestoreReport } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, tableDigest, useLocalCluster, withClient } from './support/postgres';
import { createSampleDatabases } from '../src/sample';

const source = useLocalCluster(); // the past
const target = useLocalCluster(); // live

async function tableDigests(url: string, schema: string): Promise<Record<string, { rows: number; md5: string }>> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY 1`, [schema]);
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of rows) out[name] = await tableDigest(c, schema, name);
    return out;
  });
}

async function sequencePositions(url: string, schema: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>('SELECT sequencename AS name FROM pg_sequences WHERE schemaname = $1 ORDER BY 1', [schema]);
    const out: Record<string, string> = {};
    for (const { name } of rows) {
      const r = (await c.query(`SELECT last_value::text || '/' || is_called AS p FROM "${schema}"."${name}"`)).rows[0];
      out[name] = r.p;
    }
    return out;
  });
}

describe('restoreSchema: an exact, isolated side-by-side copy', () => {
  let report: RestoreReport;
  let events: ProgressEvent[];
  let restOfTargetBefore: string;
  const big = 'x'.repeat(6 * 1024 * 1024);

  beforeAll(async () => {
    await createSampleDatabases(source(), { rows: 300 });
    await createSampleDatabases(target(), { rows: 300 });
    // Values of several MB must never be truncated.
    await execSql(source().url('tenant_a'), `INSERT INTO customer_a1.audit_log (table_name, operation, row_id, new_data)
      VALUES ('big', 'INSERT', 0, jsonb_build_object('blob', '${big}'))`);
    // The live tenant has had an incident since.
    await execSql(target().url('tenant_a'), 'DELETE FROM customer_a1.order_items WHERE order_id % 3 = 0; UPDATE customer_a1.users SET email = \'oops\' || id || \'@example.com\'');
    restOfTargetBefore = comparableDump(target(), 'tenant_a', []);
    events = [];
    report = await restoreSchema({
      source: source().url('tenant_a'),
      target: target().url('tenant_a'),
      schemas: ['customer_a1'],
      suffix: '_restored',
      onProgress: (e) => events.push(e),
    });
  }, 300_000);

  test('the definition equals the source\'s, name mapped back (pg_dump --schema-only)', () => {
    const original = comparableDump(source(), 'tenant_a', ['--schema-only', '-n', 'customer_a1']);
    const restored = comparableDump(target(), 'tenant_a', ['--schema-only', '-n', 'customer_a1_restored']);
    expect(restored.split('customer_a1_restored').join('customer_a1')).toBe(original);
    expect(original).toMatch(/CREATE POLICY/);
    expect(original).toMatch(/FORCE ROW LEVEL SECURITY/);
    expect(original).toMatch(/COMMENT ON/);
    expect(original).toMatch(/GRANT /);
    expect(original).toMatch(/OWNER TO tenant_a_owner/);
  });

  test('every table and materialized view has the same rows; every sequence the same position', async () => {
    expect(await tableDigests(target().url('tenant_a'), 'customer_a1_restored')).toEqual(await tableDigests(source().url('tenant_a'), 'customer_a1'));
    expect(await sequencePositions(target().url('tenant_a'), 'customer_a1_restored')).toEqual(await sequencePositions(source().url('tenant_a'), 'customer_a1'));
    const len = await withClient(target().url('tenant_a'), async (c) =>
      (await c.query("SELECT length(new_data->>'blob') AS n FROM customer_a1_restored.audit_log WHERE table_name = 'big'")).rows[0].n);
    expect(len).toBe(big.length);
  });

  test('the report lists every table with matching checksums, and the sequences', () => {
    expect(report.schemas).toHaveLength(1);
    const s = report.schemas[0];
    expect(s).toMatchObject({ source: 'customer_a1', restored: 'customer_a1_restored' });
    expect(s.tables.map((t) => t.name).sort()).toEqual(expect.arrayContaining(['audit_log', 'order_items', 'orders', 'products', 'users']));
    expect(s.tables.every((t) => t.checksumMatch === true)).toBe(true);
    expect(s.tables.find((t) => t.name === 'users')!.rows).toBe(300);
    expect(s.sequences.length).toBeGreaterThan(3);
    expect(report.warnings).toEqual([]);
    expect(new Date(report.restorePoint).getTime()).toBeLessThanOrEqual(Date.now());
    const phases = events.filter((e) => e.type === 'phase' && e.status === 'done').map((e) => (e as { phase: string }).phase);
    expect(phases).toEqual(['connect', 'snapshot', 'extract-ddl', 'pre-data', 'copy', 'post-data', 'sequences', 'materialized-views', 'validate', 'outside-keys', 'publish']);
    expect(events.some((e) => e.type === 'table' && e.status === 'done' && e.table === 'orders')).toBe(true);
  });

  test('nothing else in the target changed', () => {
    const after = comparableDump(target(), 'tenant_a', ['--exclude-schema=customer_a1_restored']);
    expect(after).toBe(restOfTargetBefore);
  });

  test('the restored schema refers only to itself: triggers, search_path settings, bodies', async () => {
    await withClient(target().url('tenant_a'), async (c) => {
      const before = (await c.query('SELECT count(*)::int AS n FROM customer_a1.audit_log')).rows[0].n;
      await c.query("UPDATE customer_a1_restored.users SET email = 'fixed@example.com' WHERE id = 1");
      expect((await c.query('SELECT count(*)::int AS n FROM customer_a1.audit_log')).rows[0].n).toBe(before);
      expect((await c.query("SELECT count(*)::int AS n FROM customer_a1_restored.audit_log WHERE table_name = 'users' AND operation = 'UPDATE'")).rows[0].n).toBeGreaterThan(0);
      const defs = await c.query<{ def: string }>('SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = \'customer_a1_restored\'');
      expect(defs.rows.length).toBeGreaterThan(3);
      for (const { def } of defs.rows) expect(def.replace(/customer_a1_restored/g, '')).not.toContain('customer_a1');
      const config = await c.query('SELECT proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = \'customer_a1_restored\' AND proconfig IS NOT NULL');
      expect(config.rows.map((r) => r.proconfig.join(','))).toEqual([expect.stringContaining('search_path=customer_a1_restored')]);
    });
  });

  test('no staging schema is left behind', async () => {
    const left = await withClient(target().url('tenant_a'), async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr_%'")).rows);
    expect(left).toEqual([]);
  });
});

describe('restoreSchema: names that need quoting', () => {
  test('schema "acme-corp" with table "Order Lines" and columns user/select restores exactly', async () => {
    const src = await createDatabase(source(), 'quoting');
    const dst = await createDatabase(target(), 'quoting');
    const ddl = `CREATE SCHEMA "acme-corp";
      CREATE TYPE "acme-corp"."Status" AS ENUM ('new', 'old');
      CREATE TABLE "acme-corp"."Order Lines" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "user" text, "select" "acme-corp"."Status"[], total int GENERATED ALWAYS AS (id * 2) STORED);
      CREATE FUNCTION "acme-corp"."Count"() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "acme-corp"."Order Lines" $$;
      CREATE VIEW "acme-corp"."Lines View" AS SELECT "user", "select" FROM "acme-corp"."Order Lines";`;
    await execSql(src, `${ddl} INSERT INTO "acme-corp"."Order Lines" ("user", "select") SELECT 'u' || g, ARRAY['new', 'old']::"acme-corp"."Status"[] FROM generate_series(1, 50) g;`);
    const report = await restoreSchema({ source: src, target: dst, schemas: ['acme-corp'], suffix: ' (restored)' });
    expect(report.schemas[0].restored).toBe('acme-corp (restored)');
    expect(report.schemas[0].tables).toEqual([expect.objectContaining({ name: 'Order Lines', rows: 50, checksumMatch: true })]);
    await withClient(dst, async (c) => {
      expect((await c.query('SELECT "acme-corp (restored)"."Count"() AS n')).rows[0].n).toBe('50');
      expect((await c.query('SELECT "select" FROM "acme-corp (restored)"."Lines View" LIMIT 1')).rows[0].select).toBe('{new,old}');
    });
    const original = comparableDump(source(), 'quoting', ['--schema-only', '-n', '"acme-corp"']);
    const restored = comparableDump(target(), 'quoting', ['--schema-only', '-n', '"acme-corp (restored)"']);
    expect(restored.split('"acme-corp (restored)"').join('"acme-corp"').split('acme-corp (restored)').join('acme-corp')).toBe(original);
  });
});
