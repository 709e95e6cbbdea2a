import { Client } from 'pg';
import { InvalidInputError, SchemaRestoreError } from '../errors';
import { sampleAccessSql } from './sample-access-sql';
import { sampleDataSql } from './sample-data-sql';
import { DEFAULT_SAMPLE_ROWS } from './sample-layout';
import { sampleRoutinesSql } from './sample-routines-sql';
import { samplePublicSql, sampleRolesSql } from './sample-shared-sql';
import { sampleTablesSql } from './sample-tables-sql';

export interface CreateSampleSchemaOptions {
  /** Role that owns the schema and some of its objects (created if missing). */
  readonly ownerRole: string;
  /** Users to generate; orders, items and products scale with it. @default 200 */
  readonly rows?: number;
}

/**
 * Reject a row count the generator cannot honour, before anything is created.
 *
 * @example
 * const rows = checkSampleRows(options.rows ?? DEFAULT_SAMPLE_ROWS);
 */
export function checkSampleRows(rows: number): number {
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new InvalidInputError(`sample rows must be a positive integer, got ${rows}; pass e.g. { rows: 200 }`);
  }
  return rows;
}

/**
 * Create one fully loaded sample tenant schema in the database `client` is connected to, in a single
 * transaction: shared prerequisites (roles, citext, `public.countries`), types, tables, routines,
 * data, views, security, grants and comments. The schema must not exist yet.
 *
 * @example
 * const client = await connect(cluster.url('tenant_a'), 'sample');
 * try { await createSampleSchema(client, 'customer_a1', { ownerRole: 'tenant_a_owner' }); } finally { await client.end(); }
 */
export async function createSampleSchema(client: Client, schema: string, options: CreateSampleSchemaOptions): Promise<void> {
  const rows = checkSampleRows(options.rows ?? DEFAULT_SAMPLE_ROWS);
  // Roles are cluster-wide: create them outside the transaction so a failed schema keeps them harmlessly.
  await client.query(sampleRolesSql(options.ownerRole));
  try {
    await client.query('BEGIN');
    await client.query(samplePublicSql());
    await client.query(sampleTablesSql(schema));
    await client.query(sampleRoutinesSql(schema));
    await client.query(sampleDataSql(schema, rows));
    await client.query(sampleAccessSql(schema, options.ownerRole));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new SchemaRestoreError('SAMPLE_FAILED', `cannot create sample schema "${schema}": ${(err as Error).message}`, { cause: err });
  }
}
