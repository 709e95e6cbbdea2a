import { connect, DatabaseConnection } from '../../connection';
import { quoteIdent } from '../../quote';

/** What {@link prepareRestoreDatabase} created. */
export interface PreparedDatabase {
  /** Roles that did not exist and were created as NOLOGIN placeholders. */
  readonly createdRoles: string[];
}

/**
 * Make a fresh server ready to receive a dump: create the database (from `template0`, as pg_restore
 * advises) and, as NOLOGIN roles without privileges, every role the dump's DDL names that the
 * server lacks — so owners, grants and policies are restored as they were instead of failing.
 *
 * @example
 * await prepareRestoreDatabase(cluster.url('postgres'), 'tenant_a', ['tenant_a_owner', 'tenant_reader']);
 */
export async function prepareRestoreDatabase(server: DatabaseConnection, database: string, roles: readonly string[]): Promise<PreparedDatabase> {
  const client = await connect(server, 'temporary');
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(database)} TEMPLATE template0`);
    const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[...roles]]);
    const existing = new Set(rows.map((r) => r.rolname));
    const createdRoles = roles.filter((r) => !existing.has(r));
    for (const role of createdRoles) await client.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
    return { createdRoles };
  } finally {
    await client.end().catch(() => undefined);
  }
}
