/**
 * The shape of the sample multi-tenant estate, after AWS's "Multi-Tenant PostgreSQL Database-Level
 * Recovery" reference design: one database per tenant, one schema per customer.
 */
export const SAMPLE_SCHEMAS: Readonly<Record<string, readonly string[]>> = {
  tenant_a: ['customer_a1', 'customer_a2'],
  tenant_b: ['customer_b1', 'customer_b2'],
};

/** Tables of every sample schema, in dependency (load) order. */
export const SAMPLE_TABLES = ['users', 'products', 'orders', 'order_items', 'audit_log'] as const;

export type SampleTable = typeof SAMPLE_TABLES[number];

/** Cluster-wide read-only role every sample schema grants to. */
export const SAMPLE_READER_ROLE = 'tenant_reader';

/** Users in a sample schema unless told otherwise: small enough for tests to load in a second. */
export const DEFAULT_SAMPLE_ROWS = 200;

/**
 * The role that owns a tenant database's schemas and some of their objects.
 *
 * @example
 * sampleOwnerRole('tenant_a'); // 'tenant_a_owner'
 */
export function sampleOwnerRole(database: string): string {
  return `${database}_owner`;
}

/**
 * Rows each sample table holds right after creation, for `rows` users. The data is generated
 * without random(), so these counts are exact.
 *
 * @example
 * sampleRowCounts(200).orders; // 600
 */
export function sampleRowCounts(rows: number = DEFAULT_SAMPLE_ROWS): Record<SampleTable, number> {
  const orders = rows * 3;
  return {
    users: rows,
    products: sampleProductCount(rows),
    orders,
    order_items: orders * 2,
    // One audit entry per inserted order; loading touches no audited column afterwards.
    audit_log: orders,
  };
}

/**
 * Products in the catalogue for `rows` users (at least 10, so two items of an order always differ).
 *
 * @example
 * sampleProductCount(200); // 50
 */
export function sampleProductCount(rows: number): number {
  return Math.max(10, Math.floor(rows / 4));
}

/** Reference rows of `public.countries`, shared by every tenant schema of a database. */
export const SAMPLE_COUNTRIES: ReadonlyArray<readonly [code: string, name: string]> = [
  ['US', 'United States'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['GB', 'United Kingdom'],
  ['JP', 'Japan'],
  ['BR', 'Brazil'],
  ['IN', 'India'],
  ['CA', 'Canada'],
  ['AU', 'Australia'],
  ['ES', 'Spain'],
];
