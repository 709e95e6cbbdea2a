import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Which login a password is looked up for. */
export interface PgpassKey {
  /** A host name, address or Unix-socket directory. */
  readonly host: string;
  readonly port: string;
  readonly dbname: string;
  readonly user: string;
}

/** Where the password file is and how to warn about one that others can read. */
export interface PgpassOptions {
  /** The `passfile=` keyword, PGPASSFILE, else ~/.pgpass. */
  readonly passfile?: string;
  /** Socket directories that count as "localhost" in the file, as libpq's compiled-in default does. */
  readonly defaultSocketDirs?: readonly string[];
  /** Prints libpq's warning about a group- or world-readable file. @default once per file, on stderr */
  readonly warn?: (message: string) => void;
}

const warned = new Set<string>();

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`WARNING: ${message}\n`);
}

/** `a\:b:*:…` → ['a:b', '*', …]: fields split at unescaped colons, `\` escaping `:` and `\`. */
function fields(line: string): string[] {
  const out = [''];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && i + 1 < line.length) out[out.length - 1] += line[++i];
    else if (line[i] === ':' && out.length < 5) out.push('');
    else out[out.length - 1] += line[i];
  }
  return out;
}

/**
 * The password for a login from a libpq password file (`hostname:port:database:username:password`,
 * `*` matching anything, first match wins), read the way libpq reads it: a file that is not a regular
 * file is skipped, and one the group or others can access is ignored with libpq's warning. A Unix-socket
 * host matches its directory or, for a default socket directory, `localhost`.
 *
 * @example
 * passwordFromPgpass({ host: 'db', port: '5432', dbname: 'tenant_a', user: 'app' }, { passfile: '/home/me/.pgpass' }); // 's3cret' or undefined
 */
export function passwordFromPgpass(key: PgpassKey, options: PgpassOptions = {}): string | undefined {
  const file = options.passfile ?? join(homedir(), '.pgpass');
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return undefined;
    // The low six bits of the mode are the group's and the others' permissions.
    if (process.platform !== 'win32' && stat.mode % 0o100 !== 0) {
      (options.warn ?? warnOnce)(`password file "${file}" has group or world access; permissions should be u=rw (0600) or less`);
      return undefined;
    }
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const hosts = [key.host];
  if (key.host.startsWith('/') && (options.defaultSocketDirs ?? []).includes(key.host)) hosts.push('localhost');
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [host, port, dbname, user, password] = fields(line);
    if (password === undefined) continue;
    const matches = (pattern: string, value: string): boolean => pattern === '*' || pattern === value;
    if (hosts.some((h) => matches(host, h)) && matches(port, key.port) && matches(dbname, key.dbname) && matches(user, key.user)) return password;
  }
  return undefined;
}
