import { parseConnectionString } from '../connection/connection-string';

/** Options of {@link checkPostgresUrl}. */
export interface PostgresUrlArgOptions {
  /** The option the value came from, named in the message (`--source`, `--target`). */
  readonly option: string;
  /** A well-formed example to show, e.g. `postgres://user@host:5432/tenant_a`. */
  readonly example: string;
}

/**
 * Check that a connection option is a well-formed `postgres://` / `postgresql://` URL or libpq
 * keyword/value string (`host=db dbname=tenant_a`, `service=tenants`); the same checks for `--source`
 * and `--target`. A password with unencoded `/ # ? %` breaks a URL: the message says to percent-encode
 * it or, better, keep it out of the URL (~/.pgpass, PGPASSWORD). Never echoes the value, which may carry a password.
 *
 * @example
 * checkPostgresUrl('postgres://app@db:5432/tenant_a', { option: '--target', example: 'postgres://user@host:5432/tenant_a' }); // returned as is
 * checkPostgresUrl('service=tenants dbname=tenant_a', { option: '--target', example: '…' }); // returned as is
 * checkPostgresUrl('postgres://app:pa/ss@db/tenant_a', { option: '--source', example: '…' }); // InvalidInputError
 */
export function checkPostgresUrl(value: string, options: PostgresUrlArgOptions): string {
  const { option, example } = options;
  try {
    parseConnectionString(value, option);
  } catch (err) {
    (err as Error).message = `${(err as Error).message}; e.g. ${option} ${example}`;
    throw err;
  }
  return value;
}
