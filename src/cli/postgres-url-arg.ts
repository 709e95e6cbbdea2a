import { InvalidInputError } from '../errors';

/** Options of {@link checkPostgresUrl}. */
export interface PostgresUrlArgOptions {
  /** The option the value came from, named in the message (`--source`, `--target`). */
  readonly option: string;
  /** A well-formed example to show, e.g. `postgres://user@host:5432/tenant_a`. */
  readonly example: string;
}

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * Check that a connection option is a well-formed `postgres://` or `postgresql://` URL; the same
 * checks for `--source` and `--target`. A password with unencoded `/ # ? %` breaks the URL: the
 * message says to percent-encode it or, better, keep it out of the URL (~/.pgpass, PGPASSWORD).
 * Never echoes the value, which may carry a password.
 *
 * @example
 * checkPostgresUrl('postgres://app@db:5432/tenant_a', { option: '--target', example: 'postgres://user@host:5432/tenant_a' }); // returned as is
 * checkPostgresUrl('postgres://app:pa/ss@db/tenant_a', { option: '--source', example: '…' }); // InvalidInputError
 */
export function checkPostgresUrl(value: string, options: PostgresUrlArgOptions): string {
  const { option, example } = options;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1].toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    const got = scheme ? ` (got a ${scheme}:// URL)` : '';
    throw new InvalidInputError(`${option} must be a postgres:// or postgresql:// URL${got}, e.g. ${option} ${example}`);
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // explained below, without the value
  }
  if (!url || ![url.username, url.password, url.pathname].every(decodes)) {
    throw new InvalidInputError(`${option} is not a valid postgres:// URL: characters such as / # ? % @ : in its user name or password must be ` +
      `percent-encoded (/ as %2F, # as %23, % as %25, @ as %40), or better leave the password out of the URL and put it in ~/.pgpass or PGPASSWORD; e.g. ${option} ${example}`);
  }
  return value;
}
