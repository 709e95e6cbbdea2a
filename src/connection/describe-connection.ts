import { ClientConfig } from 'pg';
import { isPostgresUrl, parseConnectionString } from './connection-string';
import { ConnParams, isConninfo } from './conninfo';

/** The parameters a string names, or undefined for text that is not a connection string. */
function paramsOf(conn: string): ConnParams | undefined {
  try {
    return parseConnectionString(conn);
  } catch {
    return undefined;
  }
}

/** A conninfo value, quoted when libpq would need it. */
function conninfoValue(value: string): string {
  return value === '' || /[\s'\\]/.test(value) ? `'${value.replace(/(['\\])/g, '\\$1')}'` : value;
}

/**
 * A connection for messages, password masked: a URL as `postgres://user:***@host/db`, a conninfo
 * string as its keywords with `password=***`, a `pg` config as `postgres://user@host:port/db`.
 *
 * @example
 * describeConnection('host=db dbname=tenant_a password=s3cret'); // 'host=db dbname=tenant_a password=***'
 */
export function describeConnection(conn: string | ClientConfig): string {
  if (typeof conn !== 'string') {
    return `postgres://${conn.user ? `${conn.user}@` : ''}${conn.host ?? 'localhost'}:${conn.port ?? 5432}/${conn.database ?? ''}`;
  }
  if (isPostgresUrl(conn)) {
    try {
      const url = new URL(conn.trim().replace('@/', '@x/'));
      if (url.password) url.password = '***';
      if (url.searchParams.has('password')) url.searchParams.set('password', '***');
      return url.toString().replace('@x/', '@/');
    } catch {
      return '<unparseable connection string>';
    }
  }
  if (conn.trim() === '') return '""'; // everything from PGSERVICE, the PG* variables and the defaults
  const params = isConninfo(conn) ? paramsOf(conn) : undefined;
  if (!params) return '<unparseable connection string>';
  return Object.entries(params).map(([k, v]) => `${k}=${k === 'password' ? '***' : conninfoValue(v)}`).join(' ');
}

/**
 * The password written into a connection (URL, `password=` keyword or `pg` config), if any: for
 * masking it in messages and warning that it sits in the command line.
 *
 * @example
 * connectionPassword('postgres://app:s3cret@db/tenant_a'); // 's3cret'
 */
export function connectionPassword(conn: string | ClientConfig): string | undefined {
  if (typeof conn !== 'string') return typeof conn.password === 'string' ? conn.password : undefined;
  return paramsOf(conn)?.password || undefined;
}

/**
 * Replace every occurrence of each secret in a text by `***`.
 *
 * @example
 * maskSecrets('login s3cret failed', ['s3cret']); // 'login *** failed'
 */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return secrets.reduce<string>((t, secret) => (secret ? t.split(secret).join('***') : t), text);
}

/**
 * Remove every occurrence of the connection's password (plain and URL-encoded) from a text.
 *
 * @example
 * scrubSecrets('failed: password=s3cret', 'host=db password=s3cret'); // 'failed: password=***'
 */
export function scrubSecrets(text: string, conn: string | ClientConfig): string {
  const password = connectionPassword(conn);
  return password ? maskSecrets(text, [password, encodeURIComponent(password)]) : text;
}
