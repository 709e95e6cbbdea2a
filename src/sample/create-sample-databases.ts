import { connect } from '../connection';
import { InvalidInputError, SchemaRestoreError } from '../errors';
import { quoteIdent } from '../quote';
import { checkSampleRows, createSampleSchema } from './create-sample-schema';
import { DEFAULT_SAMPLE_ROWS, SAMPLE_SCHEMAS, sampleOwnerRole } from './sample-layout';

/** A PostgreSQL server: a local cluster (anything with `url(database)`) or a `postgres://` URL of any of its databases. */
export type SampleServer = string | { url(database: string): string };

export interface CreateSampleDatabasesOptions {
  /** Users per schema; see {@link sampleRowCounts}. @default 200 */
  readonly rows?: number;
  /** Database → schemas to create. @default SAMPLE_SCHEMAS (tenant_a, tenant_b) */
  readonly databases?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The URL of another database on the same server.
 *
 * @example
 * sampleDatabaseUrl('postgres://u:pw@db:5432/postgres', 'tenant_a'); // 'postgres://u:pw@db:5432/tenant_a'
 */
export function sampleDatabaseUrl(server: SampleServer, database: string): string {
  if (typeof server !== 'string') return server.url(database);
  let url: URL;
  try {
    url = new URL(server);
  } catch (err) {
    throw new InvalidInputError('the sample server must be a postgres:// URL or a local cluster', { cause: err });
  }
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * Create the sample multi-tenant databases — by default `tenant_a` (`customer_a1`, `customer_a2`) and
 * `tenant_b` (`customer_b1`, `customer_b2`) — each with its owner role (`tenant_a_owner`, ...), and
 * return their URLs by database name. The databases must not exist yet.
 *
 * @example
 * const cluster = await startLocalCluster();
 * const urls = await createSampleDatabases(cluster, { rows: 1000 });
 * // urls.tenant_a === cluster.url('tenant_a')
 */
export async function createSampleDatabases(server: SampleServer, options: CreateSampleDatabasesOptions = {}): Promise<Record<string, string>> {
  const rows = checkSampleRows(options.rows ?? DEFAULT_SAMPLE_ROWS);
  const layout = options.databases ?? SAMPLE_SCHEMAS;
  const urls: Record<string, string> = {};
  const admin = await connect(sampleDatabaseUrl(server, 'postgres'), 'sample server');
  try {
    for (const database of Object.keys(layout)) {
      await admin.query(`CREATE DATABASE ${quoteIdent(database)}`).catch((err: Error) => {
        throw new SchemaRestoreError('SAMPLE_FAILED', `cannot create sample database "${database}": ${err.message}`, { cause: err });
      });
      urls[database] = sampleDatabaseUrl(server, database);
    }
  } finally {
    await admin.end();
  }
  for (const [database, schemas] of Object.entries(layout)) {
    const client = await connect(urls[database], 'sample');
    try {
      for (const schema of schemas) {
        await createSampleSchema(client, schema, { ownerRole: sampleOwnerRole(database), rows });
      }
    } finally {
      await client.end();
    }
  }
  return urls;
}
