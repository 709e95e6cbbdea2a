import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerSetting } from '../../local/cluster-config';

/** Options of {@link recoverySettings}. */
export interface RecoverySettingsOptions {
  /** Directory holding the archived WAL segments. */
  readonly walArchive: string;
  /** Replay every transaction committed at or before this time, and nothing after it. */
  readonly targetTime: Date;
}

/** A word for `/bin/sh`, whatever it contains: `it's` → `'it'\''s'`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * The `restore_command` copying segments out of a WAL archive. The path is shell-quoted and its `%`
 * doubled, because the server expands `%f` / `%p` before the shell runs the command.
 *
 * @example
 * walRestoreCommand("/backups/wal 100%"); // `cp '/backups/wal 100%%/%f' "%p"`
 */
export function walRestoreCommand(walArchive: string): string {
  return `cp ${shellQuote(`${walArchive.replace(/%/g, '%%')}/%f`)} "%p"`;
}

/**
 * Server settings for recovering a base backup up to a time on a throwaway server, isolated from
 * production: no archiving, no replication connection, no SSL files of the backed-up server.
 * Listen address, port and socket come from the local cluster itself.
 *
 * @example
 * await startLocalCluster({ replaceConfig: true, settings: recoverySettings({ walArchive: '/backups/wal', targetTime }) });
 */
export function recoverySettings(options: RecoverySettingsOptions): Record<string, ServerSetting> {
  return {
    restore_command: walRestoreCommand(options.walArchive),
    // An explicit offset: the server must not read the target in its own time zone.
    recovery_target_time: options.targetTime.toISOString().replace('Z', '+00:00'),
    recovery_target_inclusive: true,
    recovery_target_action: 'promote',
    // Off, so no session can read a half-recovered state and the primary's max_connections,
    // max_worker_processes, ... need not be matched (hot standby requires them to be at least as high).
    // pg_ctl -w still returns once recovery has begun, so the caller waits for the promotion itself.
    hot_standby: false,
    // The backed-up configuration may archive into production's WAL archive or stream from its primary.
    archive_mode: false,
    primary_conninfo: '',
    primary_slot_name: '',
    ssl: false,
    shared_preload_libraries: '',
    // The server log is read to explain failures: English, UTC.
    lc_messages: 'C',
    log_timezone: 'UTC',
    timezone: 'UTC',
  };
}

/** Configuration files of the backed-up server that are kept aside (`<name>.from-backup`), never read. */
const BACKED_UP_CONFIG = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'recovery.conf'];

/**
 * Make a restored data directory recover on its own, untouched by the backed-up server's settings:
 * its configuration files move aside to `<name>.from-backup`, `postgresql.auto.conf` is emptied
 * (`pg_basebackup -R` writes `primary_conninfo` there), `standby.signal` goes, `recovery.signal`
 * comes. The caller then writes its own `postgresql.conf` and `pg_hba.conf`.
 *
 * @example
 * isolateRecoveryDataDir('/tmp/pgsr-cluster-x/data');
 */
export function isolateRecoveryDataDir(dataDir: string): void {
  for (const name of BACKED_UP_CONFIG) {
    const file = join(dataDir, name);
    if (existsSync(file)) renameSync(file, `${file}.from-backup`);
  }
  writeFileSync(join(dataDir, 'postgresql.auto.conf'), '# emptied by pg-schema-restore: the backed-up one is postgresql.auto.conf.from-backup\n');
  if (!existsSync(join(dataDir, 'pg_ident.conf'))) writeFileSync(join(dataDir, 'pg_ident.conf'), '');
  // A standby would stream from the primary; a copied lock file would claim a server is running.
  for (const name of ['standby.signal', 'postmaster.pid', 'postmaster.opts']) rmSync(join(dataDir, name), { force: true });
  writeFileSync(join(dataDir, 'recovery.signal'), '');
}
