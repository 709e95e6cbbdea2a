import { LIBPQ_KEYWORDS } from './libpq-keywords';
import { InvalidInputError } from '../errors';

/** Libpq connection parameters by keyword (`dbname`, `host`, …). */
export type ConnParams = Record<string, string>;

/**
 * Whether a text is a keyword/value conninfo string (`host=db dbname=tenant_a`) rather than a URL or a path.
 *
 * @example
 * isConninfo('host=db dbname=tenant_a'); // true
 * isConninfo('/backups/tenant_a.dump'); // false
 */
export function isConninfo(text: string): boolean {
  return /^\s*[a-z_]+\s*=/i.test(text);
}

/** Read one value at `i`: single-quoted (`\'` and `\\` escape), or up to the next blank; returns it and where it ended. */
function readValue(text: string, start: number, keyword: string, label: string): [string, number] {
  let i = start;
  let value = '';
  const quoted = text[i] === "'";
  if (quoted) i++;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) value += text[++i];
    else if (quoted && c === "'") return [value, i + 1];
    else if (!quoted && /\s/.test(c)) break;
    else value += c;
  }
  if (quoted) throw new InvalidInputError(`unterminated quoted value of "${keyword}" in ${label}; close it with ' (write \\' for a quote inside)`);
  return [value, i];
}

/**
 * Parse a libpq keyword/value connection string with libpq's rules: `keyword = value` pairs separated
 * by blanks, values single-quoted when they hold blanks or are empty (`password=''`), backslash escaping
 * `'` and `\`. Unknown keywords are refused, as libpq does. Errors never echo a value (it may be a password).
 *
 * @example
 * parseConninfo("host=/run/postgresql dbname='tenant a' user=app"); // { host: '/run/postgresql', dbname: 'tenant a', user: 'app' }
 */
export function parseConninfo(text: string, label = 'the connection string'): ConnParams {
  const params: ConnParams = {};
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) return params;
    const keyword = /^[^\s=]+/.exec(text.slice(i))?.[0] ?? '';
    i += keyword.length;
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] !== '=') throw new InvalidInputError(`missing "=" after "${keyword.slice(0, 40)}" in ${label}; write keyword=value pairs, e.g. "host=db dbname=tenant_a"`);
    i++;
    while (i < text.length && /\s/.test(text[i])) i++;
    if (!LIBPQ_KEYWORDS.has(keyword)) throw new InvalidInputError(`invalid connection option "${keyword.slice(0, 40)}" in ${label}; libpq knows host, port, dbname, user, service, sslmode, …`);
    const [value, end] = readValue(text, i, keyword, label);
    params[keyword] = value;
    i = end;
  }
}
