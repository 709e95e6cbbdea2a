import type { ConnectionOptions } from 'node:tls';
import type { Ledger } from './aws/ledger';
import { DatabaseConnection } from './connection';
import type { RestoreDmsOptions } from './copy/dms/dms-engine-options';
import type { WithProgress } from './run-options';
import { AwsClients, RestoreSource } from './sources/restore-source';

/** Options of {@link restoreSchema}. */
export interface RestoreSchemaOptions extends WithProgress {
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
   * Restore only these tables (`'schema.table'`, exact and case-sensitive; views may be named too),
   * each with what it needs: its types, sequences, the functions its defaults, checks and triggers
   * call, its indexes, constraints, triggers, policies, comments and grants. A foreign key to a
   * table not restored is left out, with a warning. Each table's schema must be one of `schemas`;
   * with `schemas` empty, the tables' schemas are restored. @default - every table of the schemas
   */
  readonly tables?: string[];
  /**
   * Appended to each schema name. @default `_YYYYMMDDHHMMSS` — the UTC time of the source snapshot
   */
  readonly suffix?: string;
  /** Tables copied in parallel. @default 4 */
  readonly jobs?: number;
  /**
   * Split a table whose heap (catalog pages × block size) is larger than this many bytes into ctid
   * block ranges, up to `jobs` of them, copied by several workers at once; 0 never splits (copy
   * engine only). @default 67108864 (64 MiB)
   */
  readonly splitTablesLargerThan?: number;
  /**
   * How rows move: `copy` streams text COPY from the source snapshot; `dms` loads them with AWS DMS
   * full-load tasks, which read the source as it is — use it only with a source that does not
   * change, such as a temporary RDS restore. @default 'copy'
   */
  readonly engine?: 'copy' | 'dms';
  /** Settings of the `dms` engine (secrets, replication instance, …); its resources are recorded in `ledger`. @default - none (required with engine 'dms') */
  readonly dms?: RestoreDmsOptions;
  /** Leave object owners out (objects belong to the restoring user), like `pg_restore --no-owner`. @default false */
  readonly skipOwnership?: boolean;
  /** Leave GRANT/REVOKE out, like `pg_restore --no-privileges`. @default false */
  readonly skipPrivileges?: boolean;
  /**
   * Longest wait, in ms, for a lock on anything outside the staging schema (a foreign key to a
   * shared table locks it briefly); each wait is retried a few times, then the restore stops and
   * names the sessions in the way. The database's or role's own `lock_timeout` wins when shorter.
   * @default 2000
   */
  readonly lockTimeoutMs?: number;
  /**
   * Restore without attaching to or altering anything outside the restored schemas: a table that
   * inherits from (or is a partition of) a table outside becomes a standalone table with the same
   * columns; statements on outside objects are left out; each is reported as a warning. Without it
   * such DDL is refused before anything is written. @default false
   */
  readonly detachOutside?: boolean;
  /**
   * Leave large objects out: rows keep the source's OIDs, which then point at nothing (or at an
   * unrelated large object of the target); a warning names those columns. @default false — the
   * large objects that `oid`/`lo` columns refer to are copied and the rows point at the copies
   */
  readonly noLargeObjects?: boolean;
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
  /**
   * Where cloud resources created for the source (RDS instances, clusters, secrets) are written
   * down the moment they exist, so they can be removed even after a crash.
   * @default an in-memory ledger (removed when the restore ends, but lost if the process dies)
   */
  readonly ledger?: Ledger;
  /** TLS for connections to a cloud source (RDS); `false` only for a local test server. @default verified TLS with the RDS certificate authorities */
  readonly tls?: false | ConnectionOptions;
  /** Abort the restore; everything it created is removed. */
  readonly signal?: AbortSignal;
}
