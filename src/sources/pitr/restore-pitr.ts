import { readFileSync } from 'node:fs';
import { BaseBackupInfo, inspectBaseBackup } from './base-backup';
import { checkRecoveredDatabase } from './check-recovered-database';
import { extractBaseBackup } from './extract-base-backup';
import { isolateRecoveryDataDir, recoverySettings } from './recovery-config';
import { checkTargetReached, describeBackup, explainRecoveryLog } from './recovery-errors';
import { PitrSource, RestoreTemporaryOptions, TemporaryDatabase } from '../restore-source';
import { waitForPromotion } from './wait-for-promotion';
import { AbortedError, ToolError } from '../../errors';
import { formatInstant } from '../../format-units';
import { admitRestoreLogins } from '../../local/admit-restore-logins';
import { startLocalCluster } from '../../local/local-cluster';
import { findPostgresBinaries, PostgresBinaries } from '../../local/postgres-binaries';
import { safeListener } from '../../progress';

/** Replay ends by itself when the archive has no more WAL; the deadline only catches a server that hangs. */
const RECOVERY_TIMEOUT_SECONDS = 24 * 3600;

/** Server programs of the backup's major version: a server only recovers its own major's files. */
function serverBinaries(info: BaseBackupInfo, given: PostgresBinaries | undefined): PostgresBinaries {
  if (given?.major === info.major) return given;
  try {
    return findPostgresBinaries({ exactMajor: info.major, require: ['pg_ctl', 'postgres'] });
  } catch (err) {
    throw new ToolError(`base backup is PostgreSQL ${info.major}; install postgresql-${info.major} (server) or set PG_BIN ` +
      `(${info.baseBackup} can only be recovered by a PostgreSQL ${info.major} server)`, { cause: err });
  }
}

function describeSource(info: BaseBackupInfo, target: string): string {
  const format = info.format === 'tar' && info.compression !== 'none' ? `tar, ${info.compression}` : info.format;
  return `base backup ${info.baseBackup} (${format}, PostgreSQL ${info.major}) recovered to ${target} with the WAL archive ${info.walArchive}`;
}

/**
 * Recover a `pg_basebackup` (plain or tar) with its WAL archive up to `targetTime` on a throwaway
 * local server (free loopback port, own configuration: it never archives into, replicates from or
 * listens like production), wait until it is promoted, and return the database to read. Bad input
 * is an {@link InvalidInputError} with a `code` (see `RECOVERY_ERROR_CODES`); any failure or abort
 * removes what was created before the promise rejects. `warnings` names unlogged tables, which
 * come back empty.
 *
 * @example
 * const past = await restorePointInTime(
 *   { kind: 'pitr', baseBackup: '/backups/base', walArchive: '/backups/wal', targetTime: new Date('2024-01-28T14:30:00Z') },
 *   { database: 'tenant_a', schemas: ['customer_a1'] });
 * try { await readFrom(past.connection); } finally { await past.cleanup(); }
 */
export async function restorePointInTime(source: PitrSource, options: RestoreTemporaryOptions = {}): Promise<TemporaryDatabase> {
  const { signal } = options;
  const emit = safeListener(options.onProgress);
  if (signal?.aborted) throw new AbortedError();
  const info = await inspectBaseBackup(source, { signal });
  const binaries = serverBinaries(info, options.binaries);
  const target = formatInstant(source.targetTime);
  const database = options.database ?? 'postgres';
  emit({
    type: 'phase',
    phase: 'source',
    status: 'start',
    message: `recovering ${describeBackup(info)} up to ${target} from the WAL archive ${info.walArchive} on a throwaway local server`,
  });
  const explain = (log: string): Error | undefined => explainRecoveryLog(log, info);
  const cluster = await startLocalCluster({
    binaries,
    baseDir: options.baseDir,
    superuser: source.user ?? 'postgres',
    prepareDataDir: async (dataDir) => {
      await extractBaseBackup(info.layout, dataDir, { signal });
      isolateRecoveryDataDir(dataDir);
    },
    replaceConfig: true,
    settings: recoverySettings({ walArchive: info.walArchive, targetTime: source.targetTime }),
    startTimeoutSeconds: RECOVERY_TIMEOUT_SECONDS,
    explainStartFailure: explain,
    signal,
  });
  try {
    await waitForPromotion({ cluster, timeoutMs: RECOVERY_TIMEOUT_SECONDS * 1000, signal, explainStop: explain });
    await admitRestoreLogins(cluster, { signal });
    const notReached = checkTargetReached(readFileSync(cluster.logFile, 'utf8'), info);
    if (notReached) throw notReached;
    const warnings = await checkRecoveredDatabase({
      cluster: cluster.connection('template1'), database: cluster.connection(database), databaseName: database, schemas: options.schemas, tables: options.tables, asOf: target,
    });
    if (signal?.aborted) throw new AbortedError();
    emit({
      type: 'phase',
      phase: 'source',
      status: 'done',
      message: `recovered ${describeBackup(info)} up to ${target}: database "${database}" is on a throwaway PostgreSQL ${binaries.major} server that admits only this restore`,
    });
    return {
      kind: 'pitr',
      connection: cluster.url(database),
      restorePoint: source.targetTime,
      description: describeSource(info, target),
      warnings,
      cleanup: () => cluster.stop(),
    };
  } catch (err) {
    await cluster.stop();
    throw signal?.aborted ? new AbortedError() : err;
  }
}
