import type { ManifestSchema } from './backup-manifest';
import type { BackupStore } from './backup-store';
import { fingerprintProblems } from './compare-fingerprint';
import { fingerprintSchema } from './schema-fingerprint';
import { connect } from '../connection';
import { AbortedError } from '../errors';
import type { PostgresBinaries } from '../local/postgres-binaries';
import type { Abortable, WithProgress } from '../run-options';
import { restoreDumpArchive } from '../sources/dump/restore-dump-archive';
import type { S3AccessOptions } from '../sources/dump/s3-object';

/** Options of {@link restoreArchiveCheck}. */
export interface RestoreArchiveCheckOptions extends Abortable, WithProgress {
  readonly store: BackupStore;
  /** The archive's key in the store. */
  readonly key: string;
  /** What the manifest says of the schema. */
  readonly expected: ManifestSchema;
  /** initdb, pg_ctl, postgres, pg_restore and psql. */
  readonly binaries: PostgresBinaries;
  /** S3 access for archives in S3 (the store's). */
  readonly s3?: S3AccessOptions;
  /** Parent directory of the throwaway server. @default os.tmpdir() */
  readonly baseDir?: string;
}

/**
 * Restore one schema's archive into a throwaway local server (as a `dump` source is: roles the
 * DDL names become NOLOGIN placeholders, the server admits only us) and compare every table,
 * materialized view and sequence with the manifest: row counts and content checksums computed as
 * the backup computed them. Returns the differences as sentences (empty: the archive restores to
 * exactly what was backed up); a failed restore is one problem. The server is removed in all cases.
 *
 * @example
 * const problems = await restoreArchiveCheck({ store, key: run.path + s.archive, expected: s, binaries });
 */
export async function restoreArchiveCheck(options: RestoreArchiveCheckOptions): Promise<string[]> {
  const where = options.store.describe(options.key);
  const schema = options.expected.name;
  let past;
  try {
    past = await restoreDumpArchive({ kind: 'dump', path: where }, {
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
    return [`${where} did not restore into a throwaway server (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`];
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
