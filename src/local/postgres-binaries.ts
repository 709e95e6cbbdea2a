import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ToolError } from '../errors';

/** Where PostgreSQL's server and client programs live, and which major version they are. */
export interface PostgresBinaries {
  readonly bindir: string;
  readonly major: number;
  /** Full version, e.g. `17.2`. */
  readonly version: string;
  /** Path of one program in `bindir` (`initdb`, `pg_dump`, ...). */
  path(program: string): string;
}

export interface FindPostgresBinariesOptions {
  /** Directory to use; defaults to `$PG_BIN`. */
  readonly pgBin?: string;
  /** Programs that must be present. */
  readonly require?: string[];
  /** Environment to read PG_BIN and PATH from. */
  readonly env?: NodeJS.ProcessEnv;
  /** Skip directories whose programs are older than this major version (pg_dump must be at least the server's). */
  readonly minMajor?: number;
  /**
   * Only programs of exactly this major version (a server for a base backup of that version); PG_BIN
   * is tried first, then the usual places, since PG_BIN often points at the newest client programs.
   */
  readonly exactMajor?: number;
}

const SERVER_PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_dump', 'pg_restore'];

function versionOf(bindir: string, program: string): string | undefined {
  try {
    const out = execFileSync(join(bindir, program), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /(\d+(?:\.\d+)?)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function candidates(env: NodeJS.ProcessEnv, pgBin: string | undefined, searchOn: boolean): string[] {
  const dirs: string[] = [];
  const explicit = pgBin ?? env.PG_BIN;
  if (explicit && !searchOn) return [explicit];
  if (explicit) dirs.push(explicit);
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env }).trim());
  } catch {
    // pg_config is optional (it ships with libpq-dev)
  }
  dirs.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((m) => join(debianRoot, m, 'bin')));
  }
  return dirs;
}

/**
 * Find PostgreSQL's programs: `PG_BIN`, then `pg_config --bindir`, then `PATH`, then
 * `/usr/lib/postgresql/<major>/bin` (newest major first). The first directory holding every
 * required program wins (with `exactMajor`, the first of that major version).
 *
 * @example
 * const bin = findPostgresBinaries();
 * console.log(bin.major, bin.path('pg_dump'));
 */
export function findPostgresBinaries(options: FindPostgresBinariesOptions = {}): PostgresBinaries {
  const env = options.env ?? process.env;
  const required = options.require ?? SERVER_PROGRAMS;
  let older: string | undefined;
  let other: string | undefined;
  for (const dir of candidates(env, options.pgBin, !!options.exactMajor)) {
    if (!required.every((p) => existsSync(join(dir, p)))) continue;
    const version = versionOf(dir, required[0]);
    if (!version) continue;
    const major = Number(version.split('.')[0]);
    if (options.exactMajor && major !== options.exactMajor) {
      other = other ?? `${version} in ${dir}`;
      continue;
    }
    if (options.minMajor && major < options.minMajor) {
      older = older ?? `${version} in ${dir}`;
      continue;
    }
    return { bindir: dir, version, major, path: (program: string) => join(dir, program) };
  }
  const where = options.pgBin ?? env.PG_BIN;
  if (other) {
    throw new ToolError(`PostgreSQL ${options.exactMajor} programs (${required.join(', ')}) are needed, found only ${other}; ` +
      `install postgresql-${options.exactMajor} or point PG_BIN at its bin directory`);
  }
  if (older) {
    throw new ToolError(`PostgreSQL ${options.minMajor} or newer programs (${required.join(', ')}) are needed, found only ${older}; ` +
      `install postgresql-client-${options.minMajor} or newer, or set PG_BIN`);
  }
  throw new ToolError(where
    ? `PostgreSQL programs (${required.join(', ')}) not found in ${where}; point PG_BIN at PostgreSQL's bin directory`
    : `PostgreSQL programs (${required.join(', ')}) not found via PG_BIN, pg_config, PATH or /usr/lib/postgresql; install PostgreSQL (apt-get install postgresql) or set PG_BIN`);
}
