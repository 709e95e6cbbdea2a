import type { ConnectionOptions } from 'node:tls';
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Ledger } from '../aws/ledger';
import type { AwsWaitOptions } from '../aws/run-waiter';
import type { BackupManifest } from '../backups/backup-manifest';
import { DatabaseConnection } from '../connection';
import { PostgresBinaries } from '../local/postgres-binaries';
import type { WithProgress } from '../run-options';

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

/**
 * Backups written by `backupDatabase` (`pg-schema-restore backup`): the newest complete run at or
 * before `at` under one database's directory; only the requested schemas' archives are read, each
 * checked against the manifest's SHA-256, and the restored rows are checked against its checksums.
 */
export interface BackupSource {
  readonly kind: 'backup';
  /** One database's backups: `s3://bucket/prefix/<database>/` or `/backups/<database>/` (a root holding one database works too). */
  readonly location: string;
  /** The newest backup at or before this time. @default - the newest */
  readonly at?: Date;
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

/**
 * An Amazon RDS for PostgreSQL instance or Aurora PostgreSQL cluster, restored side by side into a
 * temporary instance (or cluster + instance) as of a time or from a snapshot; give exactly one of
 * `restoreTime`, `snapshotId`, `useLatestRestorableTime`.
 */
export interface RdsSource {
  readonly kind: 'rds';
  /** DB instance or Aurora DB cluster identifier (an Aurora instance stands for its cluster). */
  readonly id: string;
  /** Restore the state as of this time (within the backup retention window). */
  readonly restoreTime?: Date;
  /** Restore this DB snapshot (instance) or DB cluster snapshot (Aurora) of the source. */
  readonly snapshotId?: string;
  /** Restore the latest restorable time (usually about 5 minutes ago). */
  readonly useLatestRestorableTime?: boolean;
  /** @default the source's DB subnet group */
  readonly subnetGroup?: string;
  /** @default the source's VPC security groups */
  readonly securityGroupIds?: readonly string[];
  /** @default the source's class (Aurora: its writer's; `db.serverless` for a Serverless v2 writer) */
  readonly instanceClass?: string;
  /** Database to read in the temporary instance. @default the restore's source database, else 'postgres' */
  readonly database?: string;
  /** Login for the temporary instance (it has the source's users and passwords as of the restore point). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Secrets Manager secret holding the login; the version current at the restore point is used. */
  readonly secretId?: string;
  /**
   * Last resort when no version of the secret logs in (a password set outside Secrets Manager): set
   * a new random master password on the TEMPORARY database (never the source). @default false
   */
  readonly resetMasterPassword?: boolean;
  /** Hours after which an orphan sweep may delete the temporary resources. @default 6 */
  readonly ttlHours?: number;
}

/** Where the past comes from. */
export type RestoreSource = ConnectionSource | DumpSource | BackupSource | PitrSource | RdsSource;

/**
 * Whether a source is a `RestoreSource` (`{ kind, … }`) rather than a database to connect to (a URL
 * or a `pg` configuration, which has no `kind`).
 *
 * @example
 * isRestoreSource({ kind: 'dump', path: '/backups/a.dump' }); // true
 * isRestoreSource('postgres://db/past'); // false
 */
export function isRestoreSource(source: DatabaseConnection | RestoreSource): source is RestoreSource {
  return typeof source === 'object' && source !== null && 'kind' in source;
}

/** AWS SDK v3 clients, injectable for tests and custom configuration; built from the default credential chain otherwise. */
export interface AwsClients {
  readonly s3?: S3Client;
  readonly rds?: RDSClient;
  readonly secretsManager?: SecretsManagerClient;
  /** AWS DMS, for the `dms` data engine and its cleanup. */
  readonly dms?: DatabaseMigrationServiceClient;
  /** AWS Price List API (us-east-1), for `--dry-run` cost estimates. */
  readonly pricing?: PricingClient;
}

/** Options of {@link restoreTemporary}. */
export interface RestoreTemporaryOptions extends WithProgress {
  /**
   * Schemas that will be read from the temporary database. A dump restores only these and what they
   * depend on; physical sources check them after recovery.
   */
  readonly schemas?: readonly string[];
  /**
   * A table-level restore's tables (`schema.table`, in `schemas`): a dump or backup archive then
   * loads the rows of only these and what they need (the definitions stay whole). @default - every table
   */
  readonly tables?: readonly string[];
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
  /** Abort: whatever was created so far is removed before the promise rejects. */
  readonly signal?: AbortSignal;
  /** Identifier of the restore: names and tags the cloud resources it creates. @default a random id */
  readonly restoreId?: string;
  /** Where created cloud resources are written down the moment they exist. @default an in-memory ledger */
  readonly ledger?: Ledger;
  /** TLS for connections to cloud databases; `false` only for tests against a local server. @default verified TLS */
  readonly tls?: false | ConnectionOptions;
  /** How long and how often to poll AWS while resources are created. @default every 15 s, backing off to 60 s, for up to 2 hours */
  readonly awsWait?: AwsWaitOptions;
  /** Clock for tags and restore points. @default () => new Date() */
  readonly now?: () => Date;
}

/** The backup run a temporary database was loaded from. */
export interface LoadedBackup {
  /** The run's location: `s3://backups/nightly/app/2026-11-27T190212Z/`. */
  readonly location: string;
  readonly snapshotAt: Date;
  readonly manifest: BackupManifest;
  /** The schemas asked for (their tables are checked against the manifest); dependencies were loaded too. */
  readonly schemas: readonly string[];
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
  /** A Secrets Manager secret holding the login and the temporary host (RDS), for services that read it (DMS). */
  readonly secretArn?: string;
  /** What the user should know about this source (e.g. unlogged tables that come back empty). */
  readonly warnings: readonly string[];
  /** Backup sources: the run loaded and its manifest (the restore checks the data it validated against it). */
  readonly backup?: LoadedBackup;
  /** Stop and remove whatever was created (servers, directories, downloads). Safe to call more than once. */
  cleanup(): Promise<void>;
}
