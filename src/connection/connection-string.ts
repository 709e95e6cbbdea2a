import { parse } from 'pg-connection-string';
import { ConnParams, isConninfo, parseConninfo } from './conninfo';
import { LIBPQ_KEYWORDS } from './libpq-keywords';
import { InvalidInputError } from '../errors';

/** node-postgres spellings in URL queries, read with libpq's meaning so existing URLs keep working. */
const PG_ALIASES: Record<string, (value: string) => ConnParams> = {
  ssl: (v) => ({ sslmode: /^(1|true)$/i.test(v) ? 'require' : 'disable' }),
  uselibpqcompat: () => ({}),
};

const ENCODING_HINT = 'characters such as / # ? % @ : in its user name or password must be percent-encoded (/ as %2F, # as %23, % as %25, @ as %40), ' +
  'or better leave the password out of the URL and put it in ~/.pgpass or PGPASSWORD';

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a text is a `postgres://` or `postgresql://` URL.
 *
 * @example
 * isPostgresUrl('postgresql://db/tenant_a'); // true
 */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim());
}

/** The URL's user, password, host, port and database (through pg-connection-string) and its query keywords. */
function parseUrl(url: string, label: string): ConnParams {
  const query = url.indexOf('?');
  const base = query < 0 ? url : url.slice(0, query);
  let parsed: ReturnType<typeof parse>;
  let whatwg: URL | undefined;
  try {
    parsed = parse(base);
    whatwg = new URL(base.replace('@/', '@x/'));
  } catch {
    throw new InvalidInputError(`${label} is not a valid postgres:// URL: ${ENCODING_HINT}`);
  }
  if (![whatwg.username, whatwg.password, whatwg.pathname].every(decodes)) throw new InvalidInputError(`${label} is not a valid postgres:// URL: ${ENCODING_HINT}`);
  if ((parsed.host ?? '').includes(',')) throw new InvalidInputError(`several hosts in ${label} are not supported; name one host`);
  const params: ConnParams = {};
  const fromUrl: Array<[string, string | null | undefined]> = [
    ['user', parsed.user], ['password', parsed.password], ['host', parsed.host], ['port', parsed.port], ['dbname', parsed.database],
  ];
  for (const [keyword, value] of fromUrl) if (value) params[keyword] = value;
  for (const [keyword, value] of new URLSearchParams(query < 0 ? '' : url.slice(query + 1))) {
    const alias = PG_ALIASES[keyword];
    if (alias) Object.assign(params, alias(value));
    else if (LIBPQ_KEYWORDS.has(keyword)) params[keyword] = keyword === 'sslmode' && value === 'no-verify' ? 'require' : value;
    else throw new InvalidInputError(`invalid URI query parameter "${keyword.slice(0, 40)}" in ${label}; libpq knows host, port, dbname, user, service, sslmode, …`);
  }
  return params;
}

/**
 * The libpq parameters a connection string names: a `postgres://` / `postgresql://` URL (parsed by
 * pg-connection-string; `?host=/run/postgresql` and a `%2Frun%2Fpostgresql` host are Unix sockets) or
 * a keyword/value conninfo string (`host=db dbname=tenant_a`). Nothing is filled in from the
 * environment or a service here (see `resolveConnection`); an empty string names nothing, as in libpq. Errors are {@link InvalidInputError}s that
 * never echo the text, which may hold a password; they name it by `label`.
 *
 * @example
 * parseConnectionString('postgres://app@/tenant_a?host=/run/postgresql'); // { user: 'app', host: '/run/postgresql', dbname: 'tenant_a' }
 * parseConnectionString('service=prod dbname=tenant_a'); // { service: 'prod', dbname: 'tenant_a' }
 */
export function parseConnectionString(text: string, label = 'the connection string'): ConnParams {
  if (text.trim() === '') return {}; // libpq: everything from the service, the environment and the defaults
  if (isPostgresUrl(text)) return parseUrl(text.trim(), label);
  if (isConninfo(text)) return parseConninfo(text, label);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  const got = scheme ? ` (got a ${scheme}:// URL)` : '';
  throw new InvalidInputError(`${label} must be a postgres:// or postgresql:// URL${got} or a keyword/value string such as "host=db dbname=tenant_a" or "service=name"`);
}
