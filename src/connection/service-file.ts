import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConnParams } from './conninfo';
import { LIBPQ_KEYWORDS } from './libpq-keywords';
import { InvalidInputError } from '../errors';

/** Where to look for services and what to ask the system. */
export interface ServiceFileOptions {
  /** Read for PGSERVICEFILE and PGSYSCONFDIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A `servicefile=` keyword of the connection string, which wins over PGSERVICEFILE. */
  readonly serviceFile?: string;
  /** The directory `pg_config --sysconfdir` reports. @default asks pg_config once */
  readonly sysconfdir?: () => string | undefined;
}

let reportedSysconfdir: string | null | undefined;

/**
 * `pg_config --sysconfdir` (e.g. /etc/postgresql-common on Debian), asked once per process.
 *
 * @example
 * pgConfigSysconfdir(); // '/etc/postgresql-common', or undefined without pg_config
 */
export function pgConfigSysconfdir(): string | undefined {
  if (reportedSysconfdir === undefined) {
    try {
      reportedSysconfdir = execFileSync('pg_config', ['--sysconfdir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
    } catch {
      reportedSysconfdir = null;
    }
  }
  return reportedSysconfdir ?? undefined;
}

/**
 * The service files libpq reads, in its order: the user's (`servicefile=`, else PGSERVICEFILE, else
 * ~/.pg_service.conf), then the system's (PGSYSCONFDIR/pg_service.conf, else the one in pg_config's sysconfdir).
 *
 * @example
 * serviceFiles({ env: { PGSERVICEFILE: '/tmp/s.conf' } }); // ['/tmp/s.conf', '/etc/postgresql-common/pg_service.conf']
 */
export function serviceFiles(options: ServiceFileOptions = {}): string[] {
  const env = options.env ?? process.env;
  const user = options.serviceFile ?? env.PGSERVICEFILE ?? join(homedir(), '.pg_service.conf');
  const sysconfdir = env.PGSYSCONFDIR ?? (options.sysconfdir ?? pgConfigSysconfdir)();
  return sysconfdir ? [user, join(sysconfdir, 'pg_service.conf')] : [user];
}

/**
 * The `[name]` section of a service file's text, or undefined when it has none.
 *
 * @example
 * serviceSection('[live]\nhost=db\n', 'live', '~/.pg_service.conf'); // { host: 'db' }
 */
export function serviceSection(text: string, name: string, file: string): ConnParams | undefined {
  let inside = false;
  let found: ConnParams | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      if (found) return found;
      inside = section[1] === name;
      if (inside) found = {};
      continue;
    }
    if (!inside || !found) continue;
    const eq = line.indexOf('=');
    const keyword = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq < 0 || !LIBPQ_KEYWORDS.has(keyword) || keyword === 'service') {
      throw new InvalidInputError(`syntax error in service file "${file}", line ${index + 1}: expected keyword=value with a libpq keyword`);
    }
    found[keyword] = line.slice(eq + 1).trim();
  }
  return found;
}

/**
 * The parameters of a connection service, from the first service file that defines it (see
 * {@link serviceFiles}). An unknown service is a one-line {@link InvalidInputError} naming the service
 * and the files searched, as libpq refuses to connect rather than fall back to localhost.
 *
 * @example
 * // ~/.pg_service.conf: [tenants]\nhost=db.internal\ndbname=tenant_a
 * lookupService('tenants'); // { host: 'db.internal', dbname: 'tenant_a' }
 */
export function lookupService(name: string, options: ServiceFileOptions = {}): ConnParams {
  const files = serviceFiles(options);
  for (const file of files) {
    if (!existsSync(file)) continue;
    const params = serviceSection(readFileSync(file, 'utf8'), name, file);
    if (params) return params;
  }
  throw new InvalidInputError(`definition of service "${name}" not found in ${files.join(' or ')}; define it there (or set PGSERVICEFILE to the file that has it)`);
}
