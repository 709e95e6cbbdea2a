import { Client, ClientConfig } from 'pg';
import { defaultPasswordPrompt, PasswordPrompt } from './password-prompt';
import { rememberPassword } from './remembered-passwords';
import { DatabaseConnection, resolveConnection, ResolvedConnection } from './resolve-connection';
import { SslAttempt, sslAttempts } from './ssl-config';
import { labelSession } from '../connection-errors';
import { ConnectionError } from '../errors';
import { isPostgresUrl } from './connection-string';
import { describeConnection, maskSecrets } from './describe-connection';

/**
 * Session settings applied to every connection so that text output is identical on both sides and
 * round-trips exactly (pg_dump uses the same ones).
 */
export const EXACT_SESSION_SETTINGS: Record<string, string> = {
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  extra_float_digits: '3',
  bytea_output: 'hex',
  client_encoding: 'UTF8',
};

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** PG* variables, PGSERVICE and the files they name. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Asks for a password the server wants and nobody gave; null never asks. @default a terminal prompt when stdin is a terminal */
  readonly prompt?: PasswordPrompt | null;
}

/** Thrown by the password callback when the server asks for a password and none is known. */
class NoPasswordError extends Error {}

function toClientConfig(conn: ResolvedConnection, ssl: SslAttempt, applicationName: string): ClientConfig {
  const { params, clientConfig } = conn;
  const settings = Object.entries(EXACT_SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const timeout = Number(params.connect_timeout);
  return {
    ...clientConfig,
    connectionString: undefined,
    host: params.hostaddr ?? params.host,
    port: Number(params.port),
    user: params.user,
    database: params.dbname,
    ssl,
    // A function keeps pg from reading ~/.pgpass itself (with a deprecation warning): we did, as libpq does.
    password: typeof clientConfig.password === 'function' ? clientConfig.password : () => {
      if (params.password === undefined) throw new NoPasswordError('no password supplied');
      return params.password;
    },
    application_name: params.application_name ?? applicationName,
    options: [params.options, settings].filter(Boolean).join(' '),
    ...(timeout > 0 && clientConfig.connectionTimeoutMillis === undefined ? { connectionTimeoutMillis: timeout * 1000 } : {}),
  };
}

/** Whether the next sslmode attempt should follow this failure: prefer falls back to plain text, allow to TLS. */
function triesNext(err: unknown, tried: SslAttempt): boolean {
  if (tried !== false) return /does not support SSL/i.test((err as Error)?.message ?? '');
  return (err as { code?: unknown })?.code === '28000';
}

async function openClient(conn: ResolvedConnection, role: string, applicationName: string): Promise<Client> {
  const attempts = sslAttempts(conn);
  for (let i = 0; ; i++) {
    const config = toClientConfig(conn, attempts[i], applicationName);
    const client = new Client(config);
    // Also keeps a dropped connection from crashing the process: it surfaces through the query that uses it.
    labelSession(client, { side: role, applicationName: config.application_name ?? applicationName });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (i + 1 >= attempts.length || !triesNext(err, attempts[i])) throw err;
    }
  }
}

/** An error copy whose message and stack carry no password, safe to keep as `cause`. */
function scrubCause(err: unknown, secrets: Array<string | undefined>): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(maskSecrets(e.message, secrets));
  copy.name = e.name;
  copy.stack = maskSecrets(e.stack ?? '', secrets);
  // The SQLSTATE (28P01, 57P03, …) or errno lets callers react to the kind of failure; read from `err`, which may come from another realm.
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** `postgres://app@db:5432/tenant_a`, or with `?host=/run/postgresql` for a socket: where a resolved connection goes. */
function describeResolved({ params }: ResolvedConnection): string {
  const socket = params.host.startsWith('/');
  return `postgres://${encodeURIComponent(params.user)}@${socket ? '' : params.host}:${params.port}/${params.dbname}${socket ? `?host=${params.host}` : ''}`;
}

/**
 * Open a `pg` client with the exact-output session settings, resolving the connection as libpq does
 * (URL or conninfo string, service, PG* variables, password file, sslmode; see `resolveConnection`).
 * When the server asks for a password nobody gave, the prompt asks for it (on a terminal) and the
 * connection is made again with it; without a prompt that is a one-line "no password supplied" error.
 * Failures become a one-line {@link ConnectionError} that names the database (password masked) and
 * what to check. The client is labelled with its side and application name, so a connection lost
 * later can be named (see `connectionLost`).
 *
 * @example
 * const client = await connect('host=/run/postgresql dbname=tenant_a', 'source');
 */
export async function connect(conn: DatabaseConnection, role: string, applicationName = 'pg-schema-restore', options: ConnectOptions = {}): Promise<Client> {
  let resolved = resolveConnection(conn, { env: options.env });
  for (let prompted = false; ; prompted = true) {
    const secrets = [resolved.params.password, resolved.params.password && encodeURIComponent(resolved.params.password)];
    try {
      const client = await openClient(resolved, role, applicationName);
      if (resolved.passwordFrom === 'prompt' && resolved.params.password) rememberPassword(resolved.params, resolved.params.password);
      return client;
    } catch (err) {
      const { user, host, port, dbname } = resolved.params;
      const prompt = options.prompt === undefined ? defaultPasswordPrompt() : options.prompt;
      if (err instanceof NoPasswordError && prompt && !prompted) {
        resolved = { ...resolved, params: { ...resolved.params, password: await prompt(`Password for user ${user}: `) }, passwordFrom: 'prompt' };
        continue;
      }
      if (err instanceof NoPasswordError) {
        throw new ConnectionError(`no password supplied for user ${user} at host ${host} port ${port} (the ${role} database ${dbname}); ` +
          'put it in ~/.pgpass, a service file or PGPASSWORD', { cause: err });
      }
      const reason = maskSecrets((err as Error).message ?? String(err), secrets);
      const where = typeof conn === 'string' && !isPostgresUrl(conn) ? `${describeConnection(conn)} (${describeResolved(resolved)})` : describeConnection(conn);
      throw new ConnectionError(`cannot connect to the ${role} database ${where}: ${reason}; check host, port, credentials and that the server is running`, { cause: scrubCause(err, secrets) });
    }
  }
}
