import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupLoadPlan, planBackupLoad } from './backup-load-plan';
import { backupArchiveRoles, loadBackupArchives, storedArchives } from './load-backup-archives';
import { openBackupStore } from '../../backups/backup-store';
import { chosenTables } from '../../ddl/chosen-tables';
import { AbortedError } from '../../errors';
import { formatBytes } from '../../format-units';
import { writeOwnerRecord } from '../../local/cluster-registry';
import { LocalCluster, startLocalCluster } from '../../local/local-cluster';
import { findPostgresBinaries } from '../../local/postgres-binaries';
import { safeListener } from '../../progress';
import { describeCreatedRoles, describeLoadedSchemas } from '../dump/describe-load';
import { prepareRestoreDatabase } from '../dump/prepare-restore-database';
import { BackupSource, RestoreTemporaryOptions, TemporaryDatabase } from '../restore-source';

/** Programs the throwaway server and the loads need. */
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_restore', 'psql'];

/**
 * `backup s3://backups/nightly/app/2026-11-27T190212Z/ (snapshot 2026-11-27T19:02:12.345Z)`: what the
 * restore summary and report show as the source.
 *
 * @example
 * describeBackup(plan); // 'backup /backups/app/2026-11-27T190212Z/ (snapshot 2026-11-27T19:02:12.345Z)'
 */
export function describeBackup(plan: BackupLoadPlan): string {
  return `backup ${plan.run.display} (snapshot ${plan.snapshotAt.toISOString()})`;
}


/**
 * Restore schemas from backups written by `backupDatabase` into a throwaway local PostgreSQL
 * server, and return where to read them.
 *
 * - The backup is the newest complete run at or before `source.at` (runs without a manifest are
 *   ignored); the restore point is its snapshot's time.
 * - Only the archives of `options.schemas` and of the schemas they depend on (as the manifest
 *   records) are read — no other tenant's bytes — each streamed from S3 or the directory into
 *   pg_restore while its SHA-256 is computed. That is the one read of a whole archive: the passes
 *   that need only definitions (roles, the table of contents) read its start (from S3 a ranged
 *   GetObject, see `onArchiveHead`). An archive whose size or SHA-256 differs from the
 *   manifest is `BACKUP_CORRUPT`, raised before the database is handed out.
 * - Extensions the schemas use are created first; roles the archives name are created NOLOGIN.
 * - With `options.tables`, a requested schema's archive loads the rows of only those tables and
 *   what they need (see `loadChosenTables`); every archive is still read whole (once) for its SHA-256.
 * - The handle carries the run and its manifest (`backup`): `restoreSchema` checks the rows it
 *   validated against the manifest's counts and checksums before publishing.
 *
 * Any failure or abort removes the server before rejecting. Call `cleanup()` when done.
 *
 * @example
 * const past = await restoreFromBackup({ kind: 'backup', location: 's3://backups/nightly/app/', at: new Date('2026-11-27T12:00:00Z') }, { schemas: ['customer_a1'] });
 * try {
 *   await restoreSchema({ source: past.connection, target: liveUrl, schemas: ['customer_a1'] });
 * } finally {
 *   await past.cleanup();
 * }
 */
export async function restoreFromBackup(source: BackupSource, options: RestoreTemporaryOptions = {}): Promise<TemporaryDatabase> {
  const emit = safeListener(options.onProgress);
  const signal = options.signal;
  const store = openBackupStore(source.location, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal });
  let workDir: string | undefined;
  let cluster: LocalCluster | undefined;
  try {
    const plan = await planBackupLoad(store, source, options.schemas);
    const manifest = plan.run.manifest!;
    const binaries = options.binaries ?? findPostgresBinaries({ require: PROGRAMS, minMajor: parseInt(manifest.serverVersion, 10) || undefined });
    const description = describeBackup(plan);
    emit({ type: 'phase', phase: 'source', status: 'start', message: `restoring ${describeLoadedSchemas(plan)} from ${description} into a throwaway local server (${formatBytes(plan.bytes)} to read)` });
    workDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'pgsr-backup-'));
    writeOwnerRecord(workDir);
    const archives = storedArchives(plan, store);
    const roles = await backupArchiveRoles(plan, archives, { binaries, signal });
    signal?.throwIfAborted();
    cluster = await startLocalCluster({ binaries, baseDir: options.baseDir, signal });
    const database = options.database ?? manifest.database;
    const { createdRoles } = await prepareRestoreDatabase(cluster.url('postgres'), database, roles);
    const rolesMessage = describeCreatedRoles(createdRoles, "the backup's");
    if (rolesMessage) emit({ type: 'log', level: 'info', message: rolesMessage });
    const chosen = options.tables && chosenTables({ schemas: plan.requested, tables: [...options.tables] });
    await loadBackupArchives(plan, { archives, database: cluster.url(database), runAs: cluster.osUser, binaries, workDir, signal, emit, chosen });
    signal?.throwIfAborted();
    emit({ type: 'phase', phase: 'source', status: 'done', message: `restored ${describeLoadedSchemas(plan)} into database ${database} on a throwaway local server; every archive matches its sha256` });
    const server = cluster;
    return {
      kind: 'backup',
      connection: server.url(database),
      restorePoint: plan.snapshotAt,
      description,
      warnings: [],
      backup: { location: plan.run.display, snapshotAt: plan.snapshotAt, manifest, schemas: plan.requested },
      cleanup: () => server.stop(),
    };
  } catch (err) {
    await cluster?.stop();
    if (signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    store.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
}
