import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ClientConfig } from 'pg';
import { parseConnectionString } from './connection-string';
import { ConnParams } from './conninfo';
import { LIBPQ_ENV_VARS } from './libpq-keywords';
import { passwordFromPgpass } from './pgpass';
import { rememberedPassword } from './remembered-passwords';
import { lookupService } from './service-file';
import { InvalidInputError } from '../errors';

/** A database to connect to: a `postgres://` URL, a keyword/value conninfo string (`host=… dbname=…`, `service=…`) or a `pg` client configuration. */
export type DatabaseConnection = string | ClientConfig;

/** libpq's compiled-in socket directories (Debian's, then the upstream default). */
export const DEFAULT_SOCKET_DIRS: readonly string[] = ['/var/run/postgresql', '/run/postgresql', '/tmp'];

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** A connection with every libpq parameter decided: host, port, user, dbname and sslmode always. */
export interface ResolvedConnection {
  readonly params: Readonly<ConnParams & { host: string; port: string; user: string; dbname: string; sslmode: string }>;
  /** Where the password came from; absent when none is known (the server may not ask). */
  readonly passwordFrom?: 'connection' | 'PGPASSWORD' | 'pgpass' | 'prompt';
  /** What a `pg` client configuration set beyond libpq's keywords (ssl objects, timeouts, a password function), kept as given. */
  readonly clientConfig: ClientConfig;
}

/** Options of {@link resolveConnection}. */
export interface ResolveConnectionOptions {
  /** PG* variables and PGSERVICEFILE/PGSYSCONFDIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether a Unix socket exists, to pick libpq's default host. @default the file system */
  readonly socketExists?: (path: string) => boolean;
}

/** The libpq keywords a `pg` client configuration names; its connectionString wins, as in pg. */
function explicitParams(conn: DatabaseConnection): ConnParams {
  if (typeof conn === 'string') return parseConnectionString(conn);
  const fromConfig: Array<[string, unknown]> = [['host', conn.host], ['port', conn.port], ['user', conn.user], ['password', conn.password],
    ['dbname', conn.database], ['application_name', conn.application_name], ['options', conn.options]];
  const params: ConnParams = {};
  for (const [keyword, value] of fromConfig) if (typeof value === 'string' || typeof value === 'number') params[keyword] = String(value);
  return conn.connectionString ? { ...params, ...parseConnectionString(conn.connectionString) } : params;
}

function defaultHost(port: string, socketExists: (path: string) => boolean): string {
  return DEFAULT_SOCKET_DIRS.find((dir) => socketExists(join(dir, `.s.PGSQL.${port}`))) ?? 'localhost';
}

/**
 * Decide every parameter of a connection the way libpq does: keywords of the string (or `pg` config)
 * win over those of its service (`service=` or PGSERVICE, from pg_service.conf), which win over the
 * PG* environment variables, which win over the defaults (libpq's socket directory if a server listens
 * there, else localhost; port 5432; the OS user; a database named after the user; sslmode prefer, or
 * disable for a `pg` config without `ssl`, as pg means it). A password missing from all of them comes
 * from the password file (`passfile`, PGPASSFILE or ~/.pgpass) or a password typed earlier at the prompt.
 *
 * @example
 * resolveConnection('service=tenants dbname=tenant_b').params; // { host: 'db.internal', port: '5432', dbname: 'tenant_b', … }
 */
export function resolveConnection(conn: DatabaseConnection, options: ResolveConnectionOptions = {}): ResolvedConnection {
  const env = options.env ?? process.env;
  const explicit = explicitParams(conn);
  const serviceName = explicit.service ?? env.PGSERVICE;
  const service = serviceName ? lookupService(serviceName, { env, serviceFile: explicit.servicefile }) : {};
  const params: ConnParams = {};
  for (const [keyword, variable] of Object.entries(LIBPQ_ENV_VARS)) {
    // Our sessions keep their own application_name (connect's argument) unless the connection names one: the restore finds its sessions by it.
    const value = explicit[keyword] ?? service[keyword] ?? (keyword === 'application_name' ? undefined : env[variable]);
    if (value !== undefined && value !== '') params[keyword] = value;
  }
  for (const [keyword, value] of Object.entries({ ...service, ...explicit })) if (!(keyword in params) && value !== '') params[keyword] = value;
  delete params.service;
  delete params.servicefile;
  params.port ??= '5432';
  if (!/^\d+$/.test(params.port)) throw new InvalidInputError(`invalid port "${params.port.slice(0, 20)}" in the connection; give a number such as 5432`);
  params.host ??= params.hostaddr ?? defaultHost(params.port, options.socketExists ?? existsSync);
  if (params.host.includes(',')) throw new InvalidInputError('several hosts in one connection are not supported; name one host');
  params.user ??= userInfo().username;
  params.dbname ??= params.user;
  params.sslmode ??= typeof conn === 'string' || conn.connectionString ? 'prefer' : 'disable';
  if (!SSL_MODES.includes(params.sslmode)) throw new InvalidInputError(`invalid sslmode "${params.sslmode.slice(0, 20)}"; use one of ${SSL_MODES.join(', ')}`);
  const clientConfig: ClientConfig = typeof conn === 'string' ? {} : { ...conn };
  const passwordFrom = ((): ResolvedConnection['passwordFrom'] => {
    if (params.password !== undefined) return explicit.password !== undefined || service.password !== undefined ? 'connection' : 'PGPASSWORD';
    const login = { host: params.host, port: params.port, user: params.user };
    const fromFile = passwordFromPgpass({ ...login, dbname: params.dbname }, { passfile: params.passfile, defaultSocketDirs: DEFAULT_SOCKET_DIRS });
    const password = fromFile ?? rememberedPassword(login);
    if (password === undefined) return undefined;
    params.password = password;
    return fromFile !== undefined ? 'pgpass' : 'prompt';
  })();
  const resolved = params as ResolvedConnection['params'];
  return { params: resolved, clientConfig, ...(passwordFrom ? { passwordFrom } : {}) };
}
