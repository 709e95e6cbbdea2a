import { DatabaseConnection } from './connection';
import { ProgressListener } from './progress';
import { AwsClients, RestoreSource } from './sources/restore-source';

/** Options of {@link restoreSchema}. */
export interface RestoreSchemaOptions {
  /**
   * Where the past comes from: a database holding it (URL or `pg` configuration), or a backup to
   * bring up temporarily — `{ kind: 'dump', path }` (pg_dump archive, local or `s3://`) or
   * `{ kind: 'pitr', baseBackup, walArchive, targetTime }` — removed again when the restore ends.
   */
  readonly source: DatabaseConnection | RestoreSource;
  /** The live database the schemas are restored into, side by side. */
  readonly target: DatabaseConnection;
  /** Schemas to restore (exact, case-sensitive names). */
  readonly schemas: string[];
  /**
   * Appended to each schema name. @default `_YYYYMMDDHHMMSS` — the UTC time of the source snapshot
   */
  readonly suffix?: string;
  /** Tables copied in parallel. @default 4 */
  readonly jobs?: number;
  /** Leave object owners out (objects belong to the restoring user), like `pg_restore --no-owner`. @default false */
  readonly skipOwnership?: boolean;
  /** Leave GRANT/REVOKE out, like `pg_restore --no-privileges`. @default false */
  readonly skipPrivileges?: boolean;
  /** Compare row counts and content checksums of every table and materialized view. @default true */
  readonly validate?: boolean;
  /** Identifier for this restore (reports, logs, staging names). @default a random id */
  readonly restoreId?: string;
  /**
   * Database of a recovered cluster to read (pitr: a cluster holds several).
   * @default the target's database name
   */
  readonly sourceDatabase?: string;
  /**
   * Directory for temporary servers (dump and pitr sources); it needs room for the restored data.
   * @default os.tmpdir()
   */
  readonly tempDir?: string;
  /** AWS SDK clients (S3 for archives in S3). @default built from the standard credential chain */
  readonly clients?: AwsClients;
  /** S3-compatible endpoint for `s3://` archives. @default `AWS_ENDPOINT_URL_S3`, else AWS */
  readonly s3Endpoint?: string;
  readonly onProgress?: ProgressListener;
  /** Abort the restore; everything it created is removed. */
  readonly signal?: AbortSignal;
}
