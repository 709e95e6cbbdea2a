import { describeConnection } from '../connection';
import { InvalidInputError } from '../errors';
import { asBackupSource } from './backup/detect-backup-source';
import { restoreFromBackup } from './backup/restore-backup';
import { restoreDumpArchive } from './dump/restore-dump-archive';
import { restorePointInTime } from './pitr/restore-pitr';
import { restoreRdsTemporary } from './rds/restore-rds';
import { RestoreSource, RestoreTemporaryOptions, TemporaryDatabase } from './restore-source';

function connectionHandle(source: Extract<RestoreSource, { kind: 'connection' }>): TemporaryDatabase {
  return {
    kind: 'connection',
    connection: source.url,
    description: `database ${describeConnection(source.url)}`,
    warnings: [],
    // Nothing was created: the database belongs to the caller.
    cleanup: async () => undefined,
  };
}

/**
 * Bring up a database holding the past: a pg_dump archive (local or S3) restored into a throwaway
 * local server, schemas of a tenant backup (`backup`'s runs: a `{ kind: 'backup' }` source, or a
 * dump path that turns out to hold runs) loaded the same way and checked against its manifest,
 * a base backup recovered to a point in time, an RDS instance or Aurora cluster restored side by
 * side into temporary AWS resources, or an existing database as it is. The handle says where to
 * connect, which moment the data is from, and removes what was created with `cleanup()` — call it
 * in a `finally`. A failure or abort while building removes everything
 * before the promise rejects.
 *
 * @example
 * const past = await restoreTemporary(
 *   { kind: 'pitr', baseBackup: '/backups/base', walArchive: '/backups/wal', targetTime: new Date('2024-01-28T14:30:00Z') },
 *   { schemas: ['customer_a1'], database: 'tenant_a' });
 * try {
 *   await restoreSchema({ source: past.connection, target: liveUrl, schemas: ['customer_a1'] });
 * } finally {
 *   await past.cleanup();
 * }
 */
export async function restoreTemporary(source: RestoreSource, options: RestoreTemporaryOptions = {}): Promise<TemporaryDatabase> {
  switch (source?.kind) {
    case 'connection':
      return connectionHandle(source);
    case 'dump': {
      // A prefix or directory of backup runs (`backup` writes them) restores as a backup.
      const backup = await asBackupSource(source, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal: options.signal });
      return backup ? restoreFromBackup(backup, options) : restoreDumpArchive(source, options);
    }
    case 'backup':
      return restoreFromBackup(source, options);
    case 'pitr':
      return restorePointInTime(source, options);
    case 'rds':
      return restoreRdsTemporary(source, options);
    default:
      throw new InvalidInputError(`unknown source kind "${String((source as { kind?: unknown } | undefined)?.kind)}"; use { kind: 'connection' | 'dump' | 'backup' | 'pitr' | 'rds', ... }`);
  }
}
