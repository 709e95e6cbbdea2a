import { checkArchive } from './check-archive';
import { restoreArchiveCheck } from './restore-archive-check';
import { listBackupRuns } from '../backups/backup-catalog';
import { BackupLocationOptions, withBackupStore } from '../backups/backup-location';
import type { BackupStore } from '../backups/backup-store';
import { chooseBackup } from '../backups/choose-backup';
import { findPostgresBinaries, PostgresBinaries } from '../local/postgres-binaries';
import { safeListener } from '../progress';
import type { Abortable, WithProgress } from '../run-options';

/** Options of {@link verifyBackup}. */
export interface VerifyBackupOptions extends BackupLocationOptions, Abortable, WithProgress {
  /** Verify the newest backup at or before this time. @default - the newest */
  readonly at?: Date;
  /** Also restore each schema into a throwaway local server and compare it with the manifest's checksums. @default false */
  readonly restore?: boolean;
  /** PostgreSQL programs. @default - found with findPostgresBinaries, at least the backed-up server's major version */
  readonly binaries?: PostgresBinaries;
  /** Parent directory of throwaway servers (`restore`). @default os.tmpdir() */
  readonly baseDir?: string;
}

/** How one schema's archive fared. */
export interface SchemaVerification {
  readonly schema: string;
  /** Where its archive is, for people. */
  readonly archive: string;
  /** Its size as the manifest says. */
  readonly bytes: number;
  /** Present, as long as the manifest says, with the manifest's SHA-256. */
  readonly archiveOk: boolean;
  /** `pg_restore -l` reads its table of contents, which lists the schema's tables. */
  readonly tocOk: boolean;
  /** Restored and equal to the manifest's counts and checksums; undefined when not restored (no `restore`, or the archive is damaged). */
  readonly restoredOk?: boolean;
  readonly problems: string[];
}

/** What {@link verifyBackup} found. */
export interface BackupVerification {
  /** The run verified: `s3://bucket/nightly/app/2026-11-27T190212Z/`. */
  readonly location: string;
  readonly database: string;
  /** The backup's restore point (ISO 8601, UTC). */
  readonly snapshotAt: string;
  /** Whether each schema was also restored and compared. */
  readonly restored: boolean;
  readonly schemas: SchemaVerification[];
  /** No problem anywhere. */
  readonly ok: boolean;
}

async function verifyIn(store: BackupStore, options: VerifyBackupOptions): Promise<BackupVerification> {
  const onProgress = safeListener(options.onProgress);
  const run = chooseBackup(await listBackupRuns(store), { at: options.at, where: store.display });
  const manifest = run.manifest!;
  const programs = options.restore ? ['initdb', 'pg_ctl', 'postgres', 'pg_restore', 'psql'] : ['pg_restore'];
  const minMajor = Number.parseInt(manifest.serverVersion, 10) || undefined;
  const binaries = options.binaries ?? findPostgresBinaries({ require: programs, minMajor });
  onProgress({ type: 'log', level: 'info', message: `verifying ${manifest.schemas.length} archive(s) of ${run.display} (snapshot ${manifest.snapshotAt})` });
  const schemas: SchemaVerification[] = [];
  for (const expected of manifest.schemas) {
    const common = { expected, binaries, signal: options.signal, onProgress };
    const check = await checkArchive({ ...common, store, runPath: run.path });
    let restoredOk: boolean | undefined;
    const problems = [...check.problems];
    if (options.restore && check.archiveOk) {
      const { s3, baseDir } = options;
      const differences = await restoreArchiveCheck({ ...common, from: options.from, run, s3, baseDir });
      restoredOk = differences.length === 0;
      problems.push(...differences);
    } else if (options.restore) {
      problems.push(`${expected.name} was not restored: its archive does not match the manifest`);
    }
    const archive = store.describe(run.path + expected.archive);
    schemas.push({ schema: expected.name, archive, bytes: expected.bytes, archiveOk: check.archiveOk, tocOk: check.tocOk, restoredOk, problems });
  }
  return {
    location: run.display,
    database: manifest.database,
    snapshotAt: manifest.snapshotAt,
    restored: options.restore === true,
    schemas,
    ok: schemas.every((s) => s.problems.length === 0),
  };
}

/**
 * Verify a backup run (the newest, or the newest at or before `at`): every archive is read whole
 * from the store, streamed, and its size and SHA-256 compared with the manifest; its table of
 * contents must be readable by `pg_restore -l` and hold the schema's tables. With `restore`, each
 * schema is also restored into a throwaway local server and its tables', materialized views' and
 * sequences' counts, checksums and positions compared with the manifest — proof that the archive
 * brings back what was backed up. Problems are reported per schema, not thrown; a missing or
 * unreadable backup is an error (`BACKUP_NOT_FOUND`).
 *
 * @example
 * const result = await verifyBackup({ from: 's3://backups/nightly/app/', restore: true });
 * for (const s of result.schemas) console.log(s.schema, s.archiveOk, s.tocOk, s.restoredOk, s.problems);
 */
export async function verifyBackup(options: VerifyBackupOptions): Promise<BackupVerification> {
  return withBackupStore({ from: options.from, s3: { ...options.s3, signal: options.signal } }, (store) => verifyIn(store, options));
}
