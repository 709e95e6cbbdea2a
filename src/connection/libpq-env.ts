import { LIBPQ_ENV_VARS } from './libpq-keywords';
import { DatabaseConnection, resolveConnection, ResolveConnectionOptions } from './resolve-connection';

/**
 * The sslmode for libpq tools that matches a `pg` config's own `ssl`: TLS or not. libpq cannot take
 * the config's in-memory CAs (e.g. the RDS bundle), so TLS is `require`, never verify-full without a root file.
 */
function sslmodeOf(ssl: unknown): string {
  return ssl ? 'require' : 'disable';
}

/**
 * Environment variables for libpq tools (pg_dump, pg_restore, psql) that reach the same database as
 * `connect`: the connection is resolved first (service, PG* variables, password file, a password typed
 * at the prompt) and every parameter is passed as its PG* variable — the password as PGPASSWORD, never
 * on the command line. (`runTool` drops an inherited PGSERVICE, which libpq would let override them.)
 *
 * @example
 * libpqEnv('service=tenants'); // { PGHOST: 'db.internal', PGPORT: '5432', PGUSER: 'app', PGDATABASE: 'tenant_a', PGSSLMODE: 'prefer', … }
 */
export function libpqEnv(conn: DatabaseConnection, options: ResolveConnectionOptions = {}): Record<string, string> {
  const { params, clientConfig } = resolveConnection(conn, options);
  const env: Record<string, string> = {};
  for (const [keyword, variable] of Object.entries(LIBPQ_ENV_VARS)) if (params[keyword] !== undefined) env[variable] = params[keyword];
  if (clientConfig.ssl !== undefined) env.PGSSLMODE = sslmodeOf(clientConfig.ssl);
  return env;
}
