import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientConfig } from 'pg';
import { findPostgresBinaries, PostgresBinaries } from './postgres-binaries';
import { ToolError } from '../errors';
import { runTool } from '../run-tool';

export interface LocalClusterOptions {
  /** PostgreSQL programs to use; found with {@link findPostgresBinaries} by default. */
  readonly binaries?: PostgresBinaries;
  /** Extra server settings (`postgresql.conf`), e.g. `{ wal_level: 'replica' }`. */
  readonly settings?: Record<string, string | number | boolean>;
  /** Require this password for TCP logins (scram-sha-256); trust otherwise. */
  readonly password?: string;
  /** Superuser name. @default 'postgres' */
  readonly superuser?: string;
  /** Parent directory of the cluster's temporary directory. @default os.tmpdir() */
  readonly baseDir?: string;
  /** Use this existing data directory (a restored base backup) instead of running initdb. */
  readonly existingDataDir?: string;
}

/** A throwaway PostgreSQL server on a free loopback port, in a temporary directory. */
export interface LocalCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly binaries: PostgresBinaries;
  /** OS user the server runs as when we are root (PostgreSQL refuses to run as root). */
  readonly osUser?: { uid: number; gid: number };
  /** `postgres://user[:password]@127.0.0.1:port/database` */
  url(database?: string): string;
  /** A `pg` client configuration for a database. */
  connection(database?: string): ClientConfig;
  /** Stop the server and remove its directory. Safe to call more than once. */
  stop(): Promise<void>;
}

const live = new Set<{ stopSync(): void }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence: a crashed test or CLI must not leave servers running.
  process.on('exit', () => {
    for (const c of live) c.stopSync();
  });
}

/** uid/gid of the `postgres` OS user when running as root; undefined otherwise. */
export function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new ToolError('running as root, but there is no "postgres" OS user to run PostgreSQL as; create one (useradd --system postgres) or run as an ordinary user');
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function formatSetting(value: string | number | boolean): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `'${value.replace(/'/g, "''")}'`;
}

function chownTree(path: string, owner: { uid: number; gid: number } | undefined): void {
  if (!owner) return;
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

/**
 * Start a throwaway PostgreSQL cluster on a free loopback port. Runs the server as the `postgres`
 * OS user when called as root. Always `stop()` it (a process exit hook stops forgotten ones).
 *
 * @example
 * const pg = await startLocalCluster();
 * try { await useDatabase(pg.url('postgres')); } finally { await pg.stop(); }
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const binaries = options.binaries ?? findPostgresBinaries();
  const osUser = postgresOsUser();
  const user = options.superuser ?? 'postgres';
  const dir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'pgsr-cluster-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  const asUser = { uid: osUser?.uid, gid: osUser?.gid, cwd: dir };
  let stopped = false;

  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    live.delete(handle);
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      spawnSync(binaries.path('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { ...asUser, stdio: 'ignore' });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const handle = { stopSync };

  try {
    mkdirSync(socketDir);
    chmodSync(dir, 0o755);
    if (osUser) chownSync(dir, osUser.uid, osUser.gid);
    chownTree(socketDir, osUser);
    if (options.existingDataDir) {
      execFileSync('cp', ['-a', `${options.existingDataDir}/.`, dataDir]);
      chownTree(dataDir, osUser);
      chmodSync(dataDir, 0o700);
    } else {
      const args = ['-D', dataDir, '-U', user, '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust'];
      if (options.password) {
        const pwfile = join(dir, 'pwfile');
        writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
        if (osUser) chownSync(pwfile, osUser.uid, osUser.gid);
        args.push('--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
      } else {
        args.push('--auth-host=trust');
      }
      await runTool(binaries.path('initdb'), args, { ...asUser, secrets: options.password ? [options.password] : [] });
      rmSync(join(dir, 'pwfile'), { force: true });
    }
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      fsync: false,
      synchronous_commit: false,
      full_page_writes: false,
      max_connections: 100,
      ...options.settings,
    };
    live.add(handle);
    installExitHook();
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const conf = Object.entries({ ...settings, port }).map(([k, v]) => `${k} = ${formatSetting(v)}`).join('\n');
      appendFileSync(join(dataDir, 'postgresql.conf'), `\n# pg-schema-restore throwaway cluster\n${conf}\n`);
      try {
        await runTool(binaries.path('pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '120', 'start'], asUser);
        break;
      } catch (err) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        if (attempt < 5 && /could not (bind|create listen socket)|already in use/i.test(log)) continue;
        const lastLines = log.trim().split('\n').slice(-3).join(' | ');
        throw new ToolError(`local PostgreSQL ${binaries.version} did not start: ${lastLines || (err as Error).message}`, { cause: err });
      }
    }
    const password = options.password;
    const cluster: LocalCluster = {
      host: '127.0.0.1',
      port,
      user,
      password,
      dir,
      dataDir,
      binaries,
      osUser,
      url: (database = 'postgres') =>
        `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      connection: (database = 'postgres') => ({ host: '127.0.0.1', port, user, password, database }),
      stop: async () => stopSync(),
    };
    return cluster;
  } catch (err) {
    stopSync();
    throw err;
  }
}
