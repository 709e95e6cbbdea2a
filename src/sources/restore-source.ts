import type { S3Client } from '@aws-sdk/client-s3';
import { DatabaseConnection } from '../connection';
import { PostgresBinaries } from '../local/postgres-binaries';
import { ProgressListener } from '../progress';

/** An existing database that holds the past (a copy, a restore made by other means). */
export interface ConnectionSource {
  readonly kind: 'connection';
  /** `postgres://…` URL or `pg` client configuration. */
  readonly url: DatabaseConnection;
}

/**
 * A pg_dump archive — custom (`-Fc`), directory (`-Fd`), tar (`-Ft`) or plain SQL (optionally
 * `.gz`) — from a local path or S3.
 */
export interface DumpSource {
  readonly kind: 'dump';
  /**
   * Local file or directory, `s3://bucket/key`, or `s3://bucket/prefix/` (ending in `/`: the newest
   * archive under that prefix).
   */
  readonly path: string;
}

/** A `pg_basebackup` (plain or tar format) plus the WAL archive, recovered up to a time. */
export interface PitrSource {
  readonly kind: 'pitr';
  /** Directory written by `pg_basebackup -D` (plain: a data directory; tar: `base.tar[.gz|.lz4|.zst]` …). */
  readonly baseBackup: string;
  /** Directory the production server's `archive_command` copies WAL segments into. */
  readonly walArchive: string;
  /** Recover every transaction committed at or before this time, and nothing after it. */
  readonly targetTime: Date;
  /** Role to connect as in the recovered cluster (it trusts loopback logins). @default 'postgres' */
  readonly user?: string;
}

/** Where the past comes from. */
export type RestoreSource = ConnectionSource | DumpSource | PitrSource;

/** AWS SDK v3 clients, injectable for tests and custom configuration; built from the default credential chain otherwise. */
export interface AwsClients {
  readonly s3?: S3Client;
}

/** Options of {@link restoreTemporary}. */
export interface RestoreTemporaryOptions {
  /**
   * Schemas that will be read from the temporary database. A dump restores only these and what they
   * depend on; physical sources check them after recovery.
   */
  readonly schemas?: readonly string[];
  /**
   * Database of the recovered cluster to connect to (pitr: a cluster holds several).
   * @default 'postgres' for pitr; the archive's own database for dumps
   */
  readonly database?: string;
  readonly clients?: AwsClients;
  /** S3-compatible endpoint (e.g. `http://127.0.0.1:4568`); `AWS_ENDPOINT_URL_S3` otherwise. */
  readonly s3Endpoint?: string;
  /** PostgreSQL programs for the throwaway cluster and pg_restore. @default found with findPostgresBinaries */
  readonly binaries?: PostgresBinaries;
  /** Parent directory of temporary clusters. @default os.tmpdir() */
  readonly baseDir?: string;
  readonly onProgress?: ProgressListener;
  /** Abort: whatever was created so far is removed before the promise rejects. */
  readonly signal?: AbortSignal;
}

/** A database holding the past, ready to be read, and the means to remove it. */
export interface TemporaryDatabase {
  readonly kind: RestoreSource['kind'];
  /** Connection to the database holding the past. */
  readonly connection: DatabaseConnection;
  /**
   * The moment the data is from: the archive's dump time, the recovery target time. Undefined for a
   * live connection (the restore's snapshot time is used).
   */
  readonly restorePoint?: Date;
  /** One line for people, without secrets: `pg_dump archive s3://backups/tenant_a.dump (custom format)`. */
  readonly description: string;
  /** What the user should know about this source (e.g. unlogged tables that come back empty). */
  readonly warnings: readonly string[];
  /** Stop and remove whatever was created (servers, directories, downloads). Safe to call more than once. */
  cleanup(): Promise<void>;
}
