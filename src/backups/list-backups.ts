import { BackupRun, listBackupRuns } from './backup-catalog';
import { archiveName } from './backup-layout';
import { BackupLocationOptions, withBackupStore } from './backup-location';

/** Options of {@link listBackups}. */
export interface ListBackupsOptions extends BackupLocationOptions {
  /** Only this database's runs. @default - every database under `from` */
  readonly database?: string;
  /** Only runs that hold this schema (for an incomplete run: that have its archive). @default - every run */
  readonly schema?: string;
}

/** One backup run as people (and `backup list --json`) see it. */
export interface BackupSummary {
  /** Where it is: `s3://bucket/nightly/app/2026-11-27T190212Z/`. */
  readonly location: string;
  /** Relative to `from`: `app/2026-11-27T190212Z/`. */
  readonly path: string;
  /** The manifest's database; for an incomplete run, the directory it is in (if any). */
  readonly database?: string;
  /** The snapshot's time (the restore point); for an incomplete run, the time its name says. */
  readonly takenAt: Date;
  /** Schemas the manifest lists; for an incomplete run, none (nothing in it can be trusted). */
  readonly schemas: readonly string[];
  /** Bytes of every object of the run. */
  readonly bytes: number;
  /** Whether it can be restored from: it has a readable manifest. */
  readonly complete: boolean;
  /** Why it is incomplete. Undefined for a complete run. */
  readonly incompleteBecause?: string;
  /** The newest object's time: how old an incomplete run's last write is. */
  readonly lastWriteAt: Date;
}

/**
 * Why a run without a usable manifest is not a backup; undefined for a complete run.
 *
 * @example
 * incompleteReason(run); // 'no manifest: the backup is still being written, or it failed or was interrupted'
 */
export function incompleteReason(run: BackupRun): string | undefined {
  if (run.complete) return undefined;
  return run.problem ?? 'no manifest: the backup is still being written, or it failed or was interrupted';
}

/**
 * A run as {@link listBackups} reports it.
 *
 * @example
 * summarizeRun(run).schemas; // ['customer_a1', 'customer_a2']
 */
export function summarizeRun(run: BackupRun): BackupSummary {
  const because = incompleteReason(run);
  return {
    location: run.display,
    path: run.path,
    ...(run.database !== undefined ? { database: run.database } : {}),
    takenAt: run.takenAt,
    schemas: run.manifest?.schemas.map((s) => s.name) ?? [],
    bytes: run.bytes,
    complete: run.complete,
    ...(because !== undefined ? { incompleteBecause: because } : {}),
    lastWriteAt: run.lastWriteAt,
  };
}

function holds(run: BackupRun, schema: string): boolean {
  if (run.manifest) return run.manifest.schemas.some((s) => s.name === schema);
  return run.objects.some((o) => o.key === run.path + archiveName(schema));
}

/**
 * Every backup run at a location, oldest first: its time, database, schemas, total size, and whether
 * it is complete (and if not, why). Runs without a manifest, or with a damaged one, are listed too,
 * marked incomplete: they are never restored from.
 *
 * @example
 * for (const b of await listBackups({ from: 's3://backups/nightly/', schema: 'customer_a1' })) {
 *   console.log(b.takenAt.toISOString(), b.database, b.bytes, b.complete ? 'complete' : b.incompleteBecause);
 * }
 */
export async function listBackups(options: ListBackupsOptions): Promise<BackupSummary[]> {
  const runs = await withBackupStore(options, (store) => listBackupRuns(store, { database: options.database }));
  return runs.filter((run) => options.schema === undefined || holds(run, options.schema)).map(summarizeRun);
}
