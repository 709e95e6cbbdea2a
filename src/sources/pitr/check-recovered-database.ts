import { unloggedRelationWarnings } from './unlogged-relations';
import { connect, DatabaseConnection } from '../../connection';
import { chosenTables } from '../../ddl/chosen-tables';
import { tableClosure } from '../../ddl/table-closure';
import { InvalidInputError, SchemaNotFoundError } from '../../errors';

/** Options of {@link checkRecoveredDatabase}. */
export interface CheckRecoveredDatabaseOptions {
  /** Any database of the recovered cluster, to look up `database` in (`template1`). */
  readonly cluster: DatabaseConnection;
  /** The database that will be read. */
  readonly database: DatabaseConnection;
  readonly databaseName: string;
  /** Schemas that must exist; undefined: no check, and every schema is looked at for warnings. */
  readonly schemas?: readonly string[];
  /** A table-level restore's tables (`schema.table`, in `schemas`): they must exist (TABLE_NOT_FOUND), and warnings concern only them and what they need. */
  readonly tables?: readonly string[];
  /** The recovery target, for messages: `2024-01-28T14:30:00Z`. */
  readonly asOf: string;
}

/**
 * Check that a recovered cluster holds the database, schemas and tables a restore will read, and
 * return what the user should know about them (unlogged relations that came back empty; of a
 * table-level restore, only those it restores).
 *
 * @example
 * const warnings = await checkRecoveredDatabase({ cluster: pg.connection('template1'), database: pg.connection('tenant_a'),
 *   databaseName: 'tenant_a', schemas: ['customer_a1'], asOf: '2024-01-28T14:30:00Z' });
 */
export async function checkRecoveredDatabase(options: CheckRecoveredDatabaseOptions): Promise<string[]> {
  const admin = await connect(options.cluster, 'recovered');
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.databaseName]);
    if (!rowCount) {
      throw new InvalidInputError(`database "${options.databaseName}" does not exist in the cluster as of ${options.asOf}; check the database name (it is case-sensitive)`,
        { code: 'DATABASE_NOT_FOUND' });
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
  const client = await connect(options.database, 'recovered');
  try {
    const where = `the database "${options.databaseName}" as of ${options.asOf}`;
    let kept: ReadonlyMap<string, ReadonlySet<string>> | undefined;
    if (options.schemas) {
      const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY ($1::text[])', [options.schemas]);
      const absent = options.schemas.find((s) => !rows.some((r) => r.nspname === s));
      if (absent !== undefined) throw new SchemaNotFoundError(absent, where);
      const chosen = options.tables && chosenTables({ schemas: [...options.schemas], tables: [...options.tables] });
      if (chosen) kept = (await tableClosure(client, { chosen, schemas: options.schemas, where })).relations;
    }
    return await unloggedRelationWarnings(client, options.schemas, kept);
  } finally {
    await client.end().catch(() => undefined);
  }
}
