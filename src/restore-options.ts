import { DatabaseConnection } from './connection';
import { ProgressListener } from './progress';

/** Options of {@link restoreSchema}. */
export interface RestoreSchemaOptions {
  /** The database holding the past: a live database, or a temporary restore of it. */
  readonly source: DatabaseConnection;
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
  readonly onProgress?: ProgressListener;
  /** Abort the restore; everything it created is removed. */
  readonly signal?: AbortSignal;
}
