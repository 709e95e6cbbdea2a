import { Client } from 'pg';
import { quoteQualified, SchemaRestoreError } from '../../src';
import {
  createSampleDatabases, SAMPLE_SCHEMAS, SAMPLE_TABLES, sampleDatabaseUrl, sampleOwnerRole, sampleRowCounts,
} from '../../src/sample';
import { useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

/** Counts of every kind of object in a schema, read from the catalog. */
async function objectCounts(client: Client, schema: string): Promise<Record<string, number>> {
  const { rows } = await client.query<Record<string, string>>(`
    SELECT
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'r') AS tables,
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'v') AS views,
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'm' AND c.relispopulated) AS populated_matviews,
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'S') AS sequences,
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'i') AS indexes,
      (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = n.oid AND i.indexprs IS NOT NULL) AS expression_indexes,
      (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = n.oid AND i.indpred IS NOT NULL) AS partial_indexes,
      (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype = 'e') AS enums,
      (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype = 'd') AS domains,
      (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid AND p.prokind = 'f') AS functions,
      (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid AND p.prokind = 'p') AS procedures,
      (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid AND p.prosqlbody IS NOT NULL) AS begin_atomic_functions,
      (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid AND array_to_string(p.proconfig, ',') LIKE 'search_path=%') AS search_path_functions,
      (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = n.oid AND NOT t.tgisinternal) AS triggers,
      (SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = n.oid AND k.contype = 'p') AS primary_keys,
      (SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = n.oid AND k.contype = 'f') AS foreign_keys,
      (SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = n.oid AND k.contype = 'u') AS unique_constraints,
      (SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = n.oid AND k.contype = 'c') AS check_constraints,
      (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = n.oid) AS policies,
      (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relrowsecurity AND c.relforcerowsecurity) AS forced_rls_tables,
      (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = n.oid AND c.relkind = 'r' AND a.attidentity = 'a') AS identity_always_columns,
      (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.relnamespace = n.oid AND c.relkind = 'r' AND t.typcategory = 'A' AND t.typelem IN (SELECT oid FROM pg_type WHERE typtype = 'e')) AS enum_array_columns,
      (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = n.oid AND c.relkind = 'r' AND a.atttypid = 'public.citext'::regtype) AS citext_columns,
      (SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE c.relnamespace = n.oid AND k.contype = 'f' AND k.confrelid = 'public.countries'::regclass) AS public_foreign_keys,
      (SELECT count(*) FROM pg_description d WHERE d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid) AS schema_comments,
      (SELECT count(*) FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
        WHERE c.relnamespace = n.oid AND d.objsubid = 0) AS table_comments,
      (SELECT count(*) FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
        WHERE c.relnamespace = n.oid AND d.objsubid > 0) AS column_comments,
      (SELECT count(*) FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
        WHERE p.pronamespace = n.oid) AS function_comments
    FROM pg_namespace n WHERE n.nspname = $1`, [schema]);
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

describe('createSampleDatabases', () => {
  let urls: Record<string, string>;
  beforeAll(async () => {
    urls = await createSampleDatabases(cluster());
  });

  test('creates tenant_a and tenant_b with two customer schemas each', async () => {
    expect(Object.keys(urls).sort()).toEqual(['tenant_a', 'tenant_b']);
    for (const [database, schemas] of Object.entries(SAMPLE_SCHEMAS)) {
      const names = await withClient(urls[database], async (c) =>
        (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'customer%' ORDER BY 1")).rows.map((r) => r.nspname));
      expect(names).toEqual([...schemas]);
    }
  });

  test.each(Object.entries(SAMPLE_SCHEMAS).flatMap(([db, schemas]) => schemas.map((s) => [db, s])))('%s.%s has every kind of object', async (database, schema) => {
    const counts = await withClient(urls[database], (c) => objectCounts(c, schema));
    expect(counts).toEqual({
      tables: 5,
      views: 2,
      populated_matviews: 1,
      sequences: 6,
      indexes: 16,
      expression_indexes: 1,
      partial_indexes: 1,
      enums: 2,
      domains: 1,
      functions: 5,
      procedures: 1,
      begin_atomic_functions: 1,
      search_path_functions: 1,
      triggers: 4,
      primary_keys: 5,
      foreign_keys: 4,
      unique_constraints: 4,
      check_constraints: 4,
      policies: 2,
      forced_rls_tables: 1,
      identity_always_columns: 1,
      enum_array_columns: 1,
      citext_columns: 1,
      public_foreign_keys: 1,
      schema_comments: 1,
      table_comments: 1,
      column_comments: 1,
      function_comments: 1,
    });
  });

  test('row counts are exactly the predicted ones', async () => {
    const expected = sampleRowCounts();
    await withClient(urls.tenant_b, async (c) => {
      for (const table of SAMPLE_TABLES) {
        const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${quoteQualified('customer_b2', table)}`);
        expect({ table, rows: rows[0].n }).toEqual({ table, rows: expected[table] });
      }
      const sales = await c.query('SELECT count(*)::int AS n, sum(units_sold)::int AS units FROM customer_b2.product_sales');
      expect(sales.rows[0].n).toBe(expected.products);
      expect(sales.rows[0].units).toBeGreaterThan(expected.order_items);
      expect((await c.query('SELECT count(*)::int AS n FROM public.countries')).rows[0].n).toBe(10);
    });
  });

  test('owners, grants and functions behave as in a real tenant database', async () => {
    await withClient(urls.tenant_a, async (c) => {
      const owners = await c.query(`SELECT
        (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'customer_a1') AS schema_owner,
        (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'customer_a1.products'::regclass) AS products_owner,
        (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_reader') AS reader_can_login,
        has_table_privilege('tenant_reader', 'customer_a1.orders', 'SELECT') AS reader_selects_orders,
        has_table_privilege('tenant_reader', 'customer_a1.orders', 'DELETE') AS reader_deletes_orders,
        has_column_privilege('tenant_reader', 'customer_a1.audit_log', 'operation', 'SELECT') AS reader_sees_operation,
        has_column_privilege('tenant_reader', 'customer_a1.audit_log', 'old_data', 'SELECT') AS reader_sees_old_data,
        has_function_privilege('tenant_reader', 'customer_a1.user_order_total(integer)', 'EXECUTE') AS reader_executes`);
      expect(owners.rows[0]).toEqual({
        schema_owner: sampleOwnerRole('tenant_a'),
        products_owner: 'tenant_a_owner',
        reader_can_login: false,
        reader_selects_orders: true,
        reader_deletes_orders: false,
        reader_sees_operation: true,
        reader_sees_old_data: false,
        reader_executes: true,
      });
      const calls = await c.query(`SELECT customer_a1.user_order_total(1) > 0 AS total,
        customer_a1.active_product_count() AS active, customer_a1.next_invoice_number() AS invoice`);
      expect(calls.rows[0]).toMatchObject({ total: true, invoice: 'INV-00001600' });
      await c.query("CALL customer_a1.cancel_stale_orders('2024-01-02')");
      const audited = await c.query("SELECT count(*)::int AS n FROM customer_a1.audit_log WHERE operation = 'UPDATE'");
      expect(audited.rows[0].n).toBeGreaterThan(0);
    });
  });

  test('roles are created once per cluster and odd schema names are quoted everywhere', async () => {
    const more = await createSampleDatabases(cluster(), { rows: 20, databases: { 'tenant-c': ['acme-corp', 'Order "Lines"'] } });
    expect(more['tenant-c']).toBe(sampleDatabaseUrl(cluster().url('postgres'), 'tenant-c'));
    const counts = await withClient(more['tenant-c'], (c) => objectCounts(c, 'Order "Lines"'));
    expect(counts).toMatchObject({ tables: 5, functions: 5, triggers: 4, policies: 2 });
    const users = await withClient(more['tenant-c'], async (c) => (await c.query('SELECT count(*)::int AS n FROM "acme-corp".users')).rows[0].n);
    expect(users).toBe(20);
  });

  test('an existing database is a clear error, and bad row counts are refused up front', async () => {
    await expect(createSampleDatabases(cluster(), { databases: { tenant_a: ['x'] } }))
      .rejects.toThrow(/cannot create sample database "tenant_a": .*already exists/);
    await expect(createSampleDatabases(cluster(), { rows: 0 })).rejects.toBeInstanceOf(SchemaRestoreError);
  });
});
