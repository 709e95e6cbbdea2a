import { connect, DatabaseConnection, describeConnection, libpqEnv } from '../connection';
import { findPostgresBinaries, PostgresBinaries } from '../local/postgres-binaries';
import type { Abortable } from '../run-options';
import { runTool } from '../run-tool';

export interface ExtractDdlOptions extends Abortable {
  /** Database to dump from. */
  readonly source: DatabaseConnection;
  /** Schemas to dump (exact names; no pattern matching). */
  readonly schemas: string[];
  /** Exported snapshot to dump in (`pg_dump --snapshot`), so DDL and data agree. */
  readonly snapshotId?: string;
  /** Leave out ownership (`--no-owner`). @default false */
  readonly noOwner?: boolean;
  /** Leave out GRANT/REVOKE (`--no-privileges`). @default false */
  readonly noPrivileges?: boolean;
  /** pg_dump to use; by default the newest found that is at least the server's major version. */
  readonly binaries?: PostgresBinaries;
}

/** A pg_dump pattern that matches exactly this name (inside double quotes nothing is a wildcard). */
export function exactNamePattern(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The server's major version, e.g. 17. */
export async function serverMajorVersion(conn: DatabaseConnection): Promise<number> {
  const client = await connect(conn, 'source');
  try {
    const { rows } = await client.query<{ v: string }>('SHOW server_version_num');
    return Math.floor(Number(rows[0].v) / 10000);
  } finally {
    await client.end();
  }
}

/**
 * The full definition of schemas — tables, types, functions, views, sequences, indexes,
 * constraints, triggers, policies, RLS, comments, grants and owners — as pg_dump's plain SQL
 * (`--schema-only`). The password reaches pg_dump through PGPASSWORD, never its arguments.
 *
 * @example
 * const ddl = await extractDdl({ source: 'postgres://postgres@127.0.0.1:5432/tenant_a', schemas: ['customer_a1'] });
 */
export async function extractDdl(options: ExtractDdlOptions): Promise<string> {
  const binaries = options.binaries
    ?? findPostgresBinaries({ require: ['pg_dump'], minMajor: await serverMajorVersion(options.source) });
  const args = ['--schema-only', '--no-sync', '--strict-names'];
  for (const schema of options.schemas) args.push(`--schema=${exactNamePattern(schema)}`);
  if (options.snapshotId) args.push(`--snapshot=${options.snapshotId}`);
  if (options.noOwner) args.push('--no-owner');
  if (options.noPrivileges) args.push('--no-privileges');
  const env: Record<string, string> = { ...libpqEnv(options.source), PGAPPNAME: 'pg-schema-restore pg_dump', PGOPTIONS: '' };
  const secrets = env.PGPASSWORD ? [env.PGPASSWORD] : [];
  try {
    const { stdout } = await runTool(binaries.path('pg_dump'), args, { env, secrets, signal: options.signal });
    return stdout;
  } catch (err) {
    (err as Error).message = `${(err as Error).message} (dumping ${options.schemas.join(', ')} from ${describeConnection(options.source)})`;
    throw err;
  }
}
