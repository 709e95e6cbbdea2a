import { Client, ClientConfig } from 'pg';
import { labelSession } from './connection-errors';
import { ConnectionError } from './errors';

/** A database to connect to: a `postgres://` URL or a `pg` client configuration. */
export type DatabaseConnection = string | ClientConfig;

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

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; config objects are described by host/port/database. */
export function describeConnection(conn: DatabaseConnection): string {
  if (typeof conn === 'string') {
    try {
      const url = new URL(conn);
      if (url.password) url.password = '***';
      url.searchParams.delete('password');
      return url.toString();
    } catch {
      return '<unparseable connection string>';
    }
  }
  return `postgres://${conn.user ? `${conn.user}@` : ''}${conn.host ?? 'localhost'}:${conn.port ?? 5432}/${conn.database ?? ''}`;
}

/** The password of a connection, if any — used only to scrub it from messages. */
function passwordOf(conn: DatabaseConnection): string | undefined {
  if (typeof conn === 'string') {
    try {
      const url = new URL(conn);
      return url.password ? decodeURIComponent(url.password) : url.searchParams.get('password') ?? undefined;
    } catch {
      return undefined;
    }
  }
  return typeof conn.password === 'string' ? conn.password : undefined;
}

/** Replace every occurrence of each secret in a text by `***`. */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return secrets.reduce<string>((t, secret) => (secret ? t.split(secret).join('***') : t), text);
}

/** Remove every occurrence of the connection's password (plain and URL-encoded) from a text. */
export function scrubSecrets(text: string, conn: DatabaseConnection): string {
  const password = passwordOf(conn);
  return password ? maskSecrets(text, [password, encodeURIComponent(password)]) : text;
}

function toConfig(conn: DatabaseConnection, applicationName: string): ClientConfig {
  const base: ClientConfig = typeof conn === 'string' ? { connectionString: conn } : { ...conn };
  const options = Object.entries(EXACT_SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  return {
    ...base,
    application_name: base.application_name ?? applicationName,
    options: [base.options, options].filter(Boolean).join(' '),
  };
}

/**
 * Open a `pg` client with the exact-output session settings. Failures become a one-line
 * {@link ConnectionError} that names the database (password masked) and what to check. The client is
 * labelled with its side and application name, so a connection lost later can be named (see `connectionLost`).
 *
 * @example
 * const client = await connect('postgres://postgres@127.0.0.1:5432/tenant_a', 'source');
 */
export async function connect(conn: DatabaseConnection, role: string, applicationName = 'pg-schema-restore'): Promise<Client> {
  const config = toConfig(conn, applicationName);
  const client = new Client(config);
  // Also keeps a dropped connection from crashing the process: it surfaces through the query that uses it.
  labelSession(client, { side: role, applicationName: config.application_name ?? applicationName });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const reason = scrubSecrets((err as Error).message ?? String(err), conn);
    throw new ConnectionError(`cannot connect to the ${role} database ${describeConnection(conn)}: ${reason}; check host, port, credentials and that the server is running`, { cause: scrubCause(err, conn) });
  }
  return client;
}

/** An error copy whose message and stack carry no password, safe to keep as `cause`. */
function scrubCause(err: unknown, conn: DatabaseConnection): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(scrubSecrets(e.message, conn));
  copy.name = e.name;
  copy.stack = scrubSecrets(e.stack ?? '', conn);
  // The SQLSTATE (28P01, 57P03, …) or errno lets callers react to the kind of failure; read from `err`, which may come from another realm.
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** Environment variables for libpq tools (pg_dump, psql) pointing at a connection. The password travels as PGPASSWORD, never on the command line. */
export function libpqEnv(conn: DatabaseConnection): Record<string, string> {
  const env: Record<string, string> = {};
  if (typeof conn === 'string') {
    const url = new URL(conn);
    if (url.hostname) env.PGHOST = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.port) env.PGPORT = url.port;
    if (url.username) env.PGUSER = decodeURIComponent(url.username);
    if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
    const db = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (db) env.PGDATABASE = db;
    for (const [k, v] of url.searchParams) {
      if (k === 'host') env.PGHOST = v;
      else if (k === 'sslmode') env.PGSSLMODE = v;
      else if (k === 'sslrootcert') env.PGSSLROOTCERT = v;
      else if (k === 'password') env.PGPASSWORD = v;
    }
  } else {
    if (conn.host) env.PGHOST = conn.host;
    if (conn.port) env.PGPORT = String(conn.port);
    if (conn.user) env.PGUSER = conn.user;
    if (typeof conn.password === 'string') env.PGPASSWORD = conn.password;
    if (conn.database) env.PGDATABASE = conn.database;
  }
  return env;
}
