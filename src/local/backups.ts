import { chownSync, mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { connect, libpqEnv } from '../connection';
import { ToolError } from '../errors';
import { poll, POLL_NOT_YET, pollDone } from '../poll';
import { runTool } from '../run-tool';
import { LocalCluster, postgresOsUser } from './local-cluster';

/**
 * Make a directory the server can write to (it runs as the `postgres` OS user when we are root).
 *
 * @example
 * const wal = serverWritableDir(join(workDir, 'wal'));
 */
export function serverWritableDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const osUser = postgresOsUser();
  if (osUser) chownSync(path, osUser.uid, osUser.gid);
  return path;
}

/**
 * Server settings that archive every completed WAL segment into `archiveDir` (which must exist and
 * be writable by the server), as a production server set up for point-in-time recovery does.
 *
 * @example
 * const prod = await startLocalCluster({ settings: walArchivingSettings('/backups/wal') });
 */
export function walArchivingSettings(archiveDir: string): Record<string, string | number> {
  const dir = archiveDir.replace(/'/g, "'\\''");
  return {
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: `test ! -f '${dir}/%f' && cp '%p' '${dir}/%f'`,
    max_wal_senders: 4,
  };
}

export interface BaseBackupOptions {
  /** `plain` writes a data directory, `tar` writes base.tar (+ pg_wal.tar). @default 'plain' */
  readonly format?: 'plain' | 'tar';
  /** `stream` includes the WAL needed to make the backup consistent; `none` relies on the archive. @default 'stream' */
  readonly wal?: 'stream' | 'none';
  /** gzip the tar files (tar format only). @default false */
  readonly gzip?: boolean;
}

/**
 * Take a base backup of a local cluster with the real `pg_basebackup` into `dir` (created; must not
 * exist or be empty), as the server's OS user so the files belong to it.
 *
 * @example
 * await takeBaseBackup(prod, '/backups/base', { format: 'tar', gzip: true });
 */
export async function takeBaseBackup(cluster: LocalCluster, dir: string, options: BaseBackupOptions = {}): Promise<void> {
  serverWritableDir(dir);
  const args = ['-D', dir, '-F', options.format === 'tar' ? 't' : 'p', '-X', options.wal ?? 'stream', '-c', 'fast', '--no-sync'];
  if (options.gzip && options.format === 'tar') args.push('-z');
  await runTool(cluster.binaries.path('pg_basebackup'), args, {
    uid: cluster.osUser?.uid,
    gid: cluster.osUser?.gid,
    cwd: dir,
    env: libpqEnv(cluster.url()),
    secrets: [cluster.password],
  });
}

/**
 * Write a pg_dump archive of one database (custom format unless told otherwise), with TZ=UTC so the
 * archive's recorded dump time is UTC.
 *
 * @example
 * await dumpDatabase(prod, 'tenant_a', '/backups/tenant_a.dump');
 */
export async function dumpDatabase(cluster: LocalCluster, database: string, file: string, format: 'custom' | 'directory' | 'tar' | 'plain' = 'custom'): Promise<void> {
  await runTool(cluster.binaries.path('pg_dump'), ['-F', format[0], '-f', file], {
    env: { TZ: 'UTC', ...libpqEnv(cluster.url(database)) }, secrets: [cluster.password],
  });
}

/**
 * Close the current WAL segment and wait until the archiver has copied it, so that the archive holds
 * every transaction committed so far.
 *
 * @example
 * await archiveCurrentWal(prod);
 */
export async function archiveCurrentWal(cluster: LocalCluster, timeoutMs = 30_000): Promise<string> {
  const client: Client = await connect(cluster.url('postgres'), 'production');
  try {
    const { rows } = await client.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    const segment = rows[0].segment;
    return await poll({
      check: async () => {
        const stat = await client.query<{ last: string | null }>('SELECT last_archived_wal AS last FROM pg_stat_archiver');
        const last = stat.rows[0].last;
        return last !== null && last.slice(0, 24) >= segment ? pollDone(segment) : POLL_NOT_YET;
      },
      minDelayMs: 100,
      maxDelayMs: 100,
      timeoutMs,
      timeoutError: () => new ToolError(`WAL segment ${segment} was not archived within ${timeoutMs / 1000} s; check archive_command in the server log`),
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
