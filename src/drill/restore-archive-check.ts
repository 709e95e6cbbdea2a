import type { S3AccessOptions } from '../aws/s3-object';
import type { BackupRun } from '../backups/backup-catalog';
import type { ManifestSchema } from '../backups/backup-manifest';
import { fingerprintProblems } from '../backups/compare-fingerprint';
import { fingerprintSchema } from '../backups/schema-fingerprint';
import { connect } from '../connection';
import { AbortedError } from '../errors';
import type { PostgresBinaries } from '../local/postgres-binaries';
import type { Abortable, WithProgress } from '../run-options';
import { restoreFromBackup } from '../sources/backup/restore-backup';
import type { TemporaryDatabase } from '../sources/restore-source';

/** Options of {@link restoreArchiveCheck}. */
export interface RestoreArchiveCheckOptions extends Abortable, WithProgress {
  /** The backups' location, as given to `verifyBackup`. */
  readonly from: string;
  /** The run being verified. */
  readonly run: BackupRun;
  /** What the manifest says of the schema. */
  readonly expected: ManifestSchema;
  /** initdb, pg_ctl, postgres, pg_restore and psql. */
  readonly binaries: PostgresBinaries;
  /** S3 access for archives in S3 (the store's). */
  readonly s3?: S3AccessOptions;
  /** Parent directory of the throwaway server. @default os.tmpdir() */
  readonly baseDir?: string;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/**
 * Restore one schema of a backup run into a throwaway local server, as a restore from the backup
 * does (the schemas it depends on and the extensions it uses first, roles as NOLOGIN placeholders,
 * every archive read checked against its SHA-256), then compare its tables, materialized views and
 * sequences with the manifest: row counts and content checksums computed as the backup computed
 * them. Returns the differences as sentences (empty: the archive brings back exactly what was backed
 * up); a failed restore is one problem. The server is removed in all cases.
 *
 * @example
 * const problems = await restoreArchiveCheck({ from: '/backups/app/', run, expected: run.manifest!.schemas[0], binaries });
 */
export async function restoreArchiveCheck(options: RestoreArchiveCheckOptions): Promise<string[]> {
  const schema = options.expected.name;
  let past: TemporaryDatabase;
  try {
    past = await restoreFromBackup({ kind: 'backup', location: options.from, at: options.run.takenAt }, {
      schemas: [schema],
      binaries: options.binaries,
      baseDir: options.baseDir,
      clients: options.s3?.client ? { s3: options.s3.client } : undefined,
      s3Endpoint: options.s3?.endpoint,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    return [`${schema} did not restore from ${options.run.display} into a throwaway server (${firstLine(err)})`];
  }
  try {
    const client = await connect(past.connection, 'temporary', 'pg-schema-restore verify');
    try {
      return fingerprintProblems(options.expected, await fingerprintSchema(client, schema, options.signal));
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await past.cleanup();
  }
}
