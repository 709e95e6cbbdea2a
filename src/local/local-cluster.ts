import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientConfig } from 'pg';
import { admitRestoreLogins } from './admit-restore-logins';
import { randomPassword, writeClusterAccess } from './cluster-access';
import { ServerSetting, writeClusterConfig } from './cluster-config';
import { writeOwnerRecord } from './cluster-registry';
import { freePort } from './free-port';
import { findPostgresBinaries, PostgresBinaries } from './postgres-binaries';
import { postgresOsUser } from './postgres-os-user';
import { serverLogSummary } from './server-log';
import { AbortedError, ToolError } from '../errors';
import { runTool } from '../run-tool';

export { freePort } from './free-port';
export { postgresOsUser } from './postgres-os-user';

export interface LocalClusterOptions {
  /** PostgreSQL programs to use; found with {@link findPostgresBinaries} by default. */
  readonly binaries?: PostgresBinaries;
  /** Extra server settings (`postgresql.conf`), e.g. `{ wal_level: 'replica' }`. */
  readonly settings?: Record<string, ServerSetting>;
  /** The superuser's password for TCP logins (scram-sha-256). @default - a random one; nothing is ever trusted */
  readonly password?: string;
  /** Superuser name. @default 'postgres' */
  readonly superuser?: string;
  /** Parent directory of the cluster's temporary directory. @default os.tmpdir() */
  readonly baseDir?: string;
  /** Use a copy of this existing data directory (a restored base backup) instead of running initdb. */
  readonly existingDataDir?: string;
  /**
   * Build the data directory in place instead of running initdb (e.g. extract a base backup into it).
   * Called with the new, empty data directory; the tree is then handed to the server's OS user.
   */
  readonly prepareDataDir?: (dataDir: string) => Promise<void>;
  /**
   * Write `postgresql.conf` (only this cluster's settings) from scratch instead of appending to the
   * data directory's own: a base backup's configuration belongs to production and may archive,
   * replicate or listen there. `pg_hba.conf` and `pg_ident.conf` are always this cluster's own.
   * @default false
   */
  readonly replaceConfig?: boolean;
  /** Seconds `pg_ctl start` waits for the server (recovering a base backup can take long). @default 120 */
  readonly startTimeoutSeconds?: number;
  /** Turn the server log of a failed start into a specific error; a ToolError with the log's last lines otherwise. */
  readonly explainStartFailure?: (log: string) => Error | undefined;
  /** Abort the start: the server is stopped and its directory removed before the promise rejects. */
  readonly signal?: AbortSignal;
}

/**
 * A throwaway PostgreSQL server on a free loopback port, in a temporary directory, that admits only
 * this restore: the superuser's password (random unless given) over TCP, and through the Unix socket
 * (in a 0700 directory of the server's OS user) only the OS user running the restore.
 */
export interface LocalCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The superuser's password: keep it in memory, hand it to programs through PGPASSWORD, never argv. */
  readonly password: string;
  readonly dir: string;
  readonly dataDir: string;
  /** Directory of the server's Unix socket (0700, the server's OS user). */
  readonly socketDir: string;
  /** The server's log (`pg_ctl -l`), inside `dir`. */
  readonly logFile: string;
  readonly binaries: PostgresBinaries;
  /** OS user the server runs as when we are root (PostgreSQL refuses to run as root). */
  readonly osUser?: { uid: number; gid: number };
  /** `postgres://user:password@127.0.0.1:port/database?sslmode=disable`: for our own sessions; programs get `libpqEnv(url)`. */
  url(database?: string): string;
  /** A `pg` client configuration for a database (TCP, with the password). */
  connection(database?: string): ClientConfig;
  /**
   * A `pg` client configuration through the Unix socket, without password (`peer`: only the OS user
   * running the restore gets in). The only way in to a base backup's server until
   * `admitRestoreLogins` gave its superuser our password.
   */
  socketConnection(database?: string): ClientConfig;
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

function chownTree(path: string, owner: { uid: number; gid: number } | undefined): void {
  if (!owner) return;
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

interface DataDirContext {
  readonly binaries: PostgresBinaries;
  readonly user: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly password: string;
  readonly osUser?: { uid: number; gid: number };
}

/** The data directory comes from elsewhere (a base backup): its roles are production's. */
function adoptsDataDir(options: LocalClusterOptions): boolean {
  return !!(options.existingDataDir || options.prepareDataDir);
}

/** Run initdb, or fill the data directory from a copy or a preparation step and hand it to the server's OS user. */
async function createDataDir(options: LocalClusterOptions, ctx: DataDirContext): Promise<void> {
  const { binaries, user, dir, dataDir, osUser } = ctx;
  const asUser = { uid: osUser?.uid, gid: osUser?.gid, cwd: dir, signal: options.signal };
  if (adoptsDataDir(options)) {
    mkdirSync(dataDir, { mode: 0o700 });
    if (options.existingDataDir) execFileSync('cp', ['-a', `${options.existingDataDir}/.`, dataDir]);
    else await options.prepareDataDir?.(dataDir);
    if (options.signal?.aborted) throw new AbortedError();
    chownTree(dataDir, osUser);
    chmodSync(dataDir, 0o700);
    return;
  }
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${ctx.password}\n`, { mode: 0o600 });
  if (osUser) chownSync(pwfile, osUser.uid, osUser.gid);
  const args = ['-D', dataDir, '-U', user, '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=peer', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`];
  try {
    await runTool(binaries.path('initdb'), args, { ...asUser, secrets: [ctx.password] });
  } finally {
    rmSync(join(dir, 'pwfile'), { force: true });
  }
}

/**
 * Start a throwaway PostgreSQL cluster on a free loopback port that admits only this restore (see
 * {@link LocalCluster}; no `trust` anywhere). Runs the server as the `postgres` OS user when called
 * as root. Always `stop()` it (a process exit hook stops forgotten ones).
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
  // A process killed with -9 runs no exit hook: `cleanup --local` finds the server by its owner.
  writeOwnerRecord(dir);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  const asUser = { uid: osUser?.uid, gid: osUser?.gid, cwd: dir };
  const password = options.password ?? randomPassword();
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

  // Registered before anything is created: a process exit during a long preparation still cleans up.
  live.add(handle);
  installExitHook();
  try {
    // Only the server's OS user (and root) may enter: the socket, the log and the data stay private.
    mkdirSync(socketDir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    chmodSync(socketDir, 0o700);
    if (osUser) chownSync(dir, osUser.uid, osUser.gid);
    chownTree(socketDir, osUser);
    await createDataDir(options, { binaries, user, dir, dataDir, password, osUser });
    // A base backup's superuser gets our password only once it is promoted (admitRestoreLogins): until then no TCP login.
    writeClusterAccess(dataDir, { superuser: user, tcp: adoptsDataDir(options) ? 'none' : 'all-roles', owner: osUser });
    const settings: Record<string, ServerSetting> = {
      fsync: false,
      synchronous_commit: false,
      full_page_writes: false,
      max_connections: 100,
      ...options.settings,
      // Not overridable: loopback only, the private socket, and our own access rules.
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      unix_socket_permissions: '0700',
      hba_file: join(dataDir, 'pg_hba.conf'),
      ident_file: join(dataDir, 'pg_ident.conf'),
    };
    const timeout = String(options.startTimeoutSeconds ?? 120);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new AbortedError();
      port = await freePort();
      writeClusterConfig(dataDir, { settings: { ...settings, port }, replace: options.replaceConfig });
      try {
        await runTool(binaries.path('pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', timeout, 'start'], { ...asUser, signal: options.signal });
        break;
      } catch (err) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        if (attempt < 5 && /could not (bind|create listen socket)|already in use/i.test(log)) continue;
        const explained = options.explainStartFailure?.(log);
        if (explained) throw explained;
        const problem = /did not start in time/.test((err as Error).message) ? `did not start within ${timeout} s` : 'did not start';
        throw new ToolError(`local PostgreSQL ${binaries.version} ${problem}: ${serverLogSummary(log) || (err as Error).message}`, { cause: err });
      }
    }
    const cluster: LocalCluster = {
      host: '127.0.0.1',
      port,
      user,
      password,
      dir,
      dataDir,
      socketDir,
      logFile,
      binaries,
      osUser,
      // The throwaway server has no TLS: a user-wide PGSSLMODE=require (common with RDS) must not apply to it.
      url: (database = 'postgres') =>
        `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}?sslmode=disable`,
      connection: (database = 'postgres') => ({ host: '127.0.0.1', port, user, password, database, ssl: false }),
      socketConnection: (database = 'postgres') => ({ host: socketDir, port, user, database }),
      stop: async () => stopSync(),
    };
    // A recovering server accepts no login until promoted: whoever waits for that admits logins then.
    if (adoptsDataDir(options) && !existsSync(join(dataDir, 'recovery.signal')) && !existsSync(join(dataDir, 'standby.signal'))) {
      await admitRestoreLogins(cluster, { signal: options.signal });
    }
    return cluster;
  } catch (err) {
    stopSync();
    throw options.signal?.aborted ? new AbortedError() : err;
  }
}
