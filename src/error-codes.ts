/**
 * Every `code` a {@link SchemaRestoreError} can carry, with what it means and what to do. The codes are
 * stable across releases: scripts match on them (`--json` prints `{"error":{"code":…}}`). The README's
 * list of codes is checked against this catalogue by a test.
 *
 * @example
 * Object.keys(ERROR_CODES).includes(err.code); // true for every error pg-schema-restore throws
 * ERROR_CODES.SCHEMA_EXISTS; // 'the restored schema name is taken in the target: choose another --suffix or drop it'
 */
export const ERROR_CODES = {
  // Input and the target, checked before anything is created (exit 2 in the CLI).
  INVALID_INPUT: 'bad options or input: fix what the message names and run again',
  INVALID_TIME: 'the restore time is not a valid date: pass an ISO 8601 time with a time zone',
  INVALID_REQUEST: 'the state machine\'s input is not a restore request: start it with the documented input',
  SCHEMA_NOT_FOUND: 'a schema to restore does not exist at the source: check the name (case-sensitive) or the source',
  TABLE_NOT_FOUND: 'a table to restore (--table) does not exist at the source: check the name (schema.table, case-sensitive) or the source',
  SCHEMA_EXISTS: 'the restored schema name is taken in the target: choose another --suffix or drop it',
  MISSING_ROLES: 'roles named by OWNER/GRANT/POLICY are missing in the target: create them, or use --no-owner / --no-privileges',
  TARGET_READ_ONLY: 'the target is read-only (a standby, or default_transaction_read_only): restore into the primary',
  CANNOT_CREATE_SCHEMA: 'the target role may not create schemas: GRANT CREATE ON DATABASE, or restore as a role that may',
  CANNOT_SET_OWNER: 'the target role cannot act as the owners the DDL names: use --no-owner, or GRANT those roles to it',
  CANNOT_GRANT: 'the target role cannot act as the grantors the DDL names: use --no-privileges, or GRANT those roles to it',
  OUTSIDE_OBJECT: 'the DDL would attach to or alter an object outside the schema: use --detach-outside',
  EXTENSION_MISSING: 'an extension of the schema is missing in the target: run the CREATE EXTENSION the message names',
  DATABASE_NOT_FOUND: 'the database or RDS resource named does not exist: check the name, the identifier and the region',
  ROLE_NOT_FOUND: 'the login role does not exist in the recovered cluster: connect as a role of the backed-up server',
  HOST_REQUIRED: 'verifying historical credentials needs the host of the restored database: pass host',
  VERIFY_REQUIRED: 'resetMasterPassword applies only when verification fails: pass verify: true with it',
  // pg_dump archives (files and S3).
  ARCHIVE_NOT_FOUND: 'no such archive file, object or bucket (or nothing under the S3 prefix): check the path',
  ARCHIVE_CORRUPT: 'not a pg_dump archive, or damaged or truncated: point --source at a file written by pg_dump',
  ARCHIVE_UNREADABLE: 'the archive cannot be read (permission denied): fix its permissions',
  ARCHIVE_NOT_DATA: 'a plain SQL archive holds a psql meta-command or a statement that runs code: restore from the file pg_dump wrote',
  S3_ACCESS_DENIED: 'S3 refused the read, or credentials or the region are missing: check the AWS credentials and region',
  S3_UNREACHABLE: 'the S3 endpoint does not answer: check the endpoint (AWS_ENDPOINT_URL_S3) and the network',
  S3_FAILED: 'reading from S3 failed otherwise: check the bucket, the key and the credentials',
  // Tenant backups written by `backup` (a directory or an S3 prefix with a manifest per run).
  BACKUP_NOT_FOUND: 'no complete backup at the location (or none at or before --at): check the location, the database and the time',
  BACKUP_CORRUPT: 'a backup\'s manifest is unreadable, or an archive does not match its sha256 or size: use another backup',
  BACKUP_WRITE_FAILED: 'writing a backup to its location failed (permission, space, S3): fix what the message names; the partial run was removed',
  // Point-in-time recovery from a base backup and WAL.
  BASE_BACKUP_INVALID: 'the base backup directory is missing or holds no base backup: point it at pg_basebackup\'s output',
  WAL_MISSING: 'the WAL archive is missing or lacks WAL the base backup needs: point wal= at the server\'s archive',
  WAL_GAP: 'a segment is missing from the middle of the WAL archive, before the target: restore it or choose an earlier --at',
  TARGET_BEFORE_BACKUP: 'the recovery target lies before the base backup finished: choose a later --at or an older backup',
  TARGET_BEYOND_WAL: 'the WAL archive ends before the recovery target: choose an earlier --at, or archive the current WAL',
  UNREADABLE: 'a directory cannot be read by the OS user that reads it: chmod/chown it and retry',
  // RDS and Aurora sources, checked before anything is created.
  RDS_BAD_SOURCE: 'the RDS source options are inconsistent (not exactly one restore method, a bad date, …): fix them',
  RDS_NOT_FOUND: 'no DB instance or Aurora cluster of that identifier: check it and the AWS region and profile',
  RDS_ENGINE_UNSUPPORTED: 'the RDS source does not run PostgreSQL: restore a PostgreSQL instance or cluster',
  RDS_TIME_OUTSIDE_WINDOW: 'the restore time lies outside the backup retention window (or backups are off): choose a time inside it, or a snapshot',
  RDS_SNAPSHOT_NOT_FOUND: 'the snapshot does not exist: check its identifier',
  RDS_SNAPSHOT_NOT_AVAILABLE: 'the snapshot is not available (still being created, or failed): wait or choose another',
  RDS_SNAPSHOT_OF_ANOTHER_SOURCE: 'the snapshot was taken of another instance or cluster: choose one of this source',
  RDS_NO_CREDENTIALS: 'no login for the temporary copy: pass credentials or a secretId',
  // Credentials and Secrets Manager.
  CREDENTIALS_FAILED: 'database credentials could not be read, verified or reset: read the message for the step that failed',
  CREDENTIALS_REJECTED: 'no secret version valid at the restore time logs in: pass resetMasterPassword to set a new password on the temporary database',
  CREDENTIALS_TIMEOUT: 'the temporary database did not accept the login in time: check its status and retry',
  SECRET_NOT_FOUND: 'the secret does not exist or has no usable version: check its ARN or name and the region',
  SECRET_MALFORMED: 'the secret is not an RDS login (username, password, host, …): store it in the RDS secret format',
  SECRET_TOO_NEW: 'every version of the secret is newer than the restore time: restore to a later time, or pass credentials',
  RESET_TARGET_MISSING: 'no DB instance or cluster identifier to reset the password of: pass dbInstanceIdentifier or dbClusterIdentifier',
  RESET_REFUSED: 'the password reset was refused (not a temporary database of pg-schema-restore, or no master user): reset it by hand',
  ACCESS_DENIED: 'an AWS call was denied: grant the permission the message names to the role running pg-schema-restore',
  AWS_CALL_FAILED: 'an AWS call failed otherwise: check the AWS region and credentials, then retry',
  // AWS resources (RDS temporaries, DMS).
  AWS_RESOURCE_FAILED: 'creating, waiting for or describing an AWS resource failed: read AWS\'s words in the message, fix and retry',
  AWS_WAIT_TIMEOUT: 'an AWS resource did not reach the wanted state in time: check it in the console, or allow a longer wait',
  DMS_CONNECTION_FAILED: 'DMS cannot connect to a database: check security groups, the endpoint\'s secret and the DMS role',
  // Connections.
  CONNECTION_FAILED: 'a database could not be reached or refused the login: check host, port, user, password and TLS',
  CONNECTION_LOST: 'an established connection broke during the restore (everything created was removed): retry',
  // The restore itself.
  DDL_ERROR: 'the DDL could not be parsed, rewritten or applied: the message names the statement',
  TOOL_FAILED: 'an external program (pg_dump, pg_ctl, …) failed or is missing: install PostgreSQL\'s programs or set PG_BIN',
  LOCK_TIMEOUT: 'a lock on a live object could not be had within --lock-timeout (backup: --lock-wait-timeout): the message names the sessions holding it',
  POST_DATA_ORDER: 'post-data statements could not be ordered (a bug): report the schema',
  COPY_FAILED: 'copying a table failed: the message names the table and the server\'s reason',
  SEQUENCE_FAILED: 'setting a sequence\'s position failed: the message names the sequence',
  REFRESH_FAILED: 'refreshing a materialized view failed: the message names the view',
  VALIDATION_FAILED: 'the restored rows do not match the source: nothing was published; the message lists the mismatches',
  ABORTED: 'the restore was aborted (Ctrl-C, AbortSignal): everything it created has been removed',
  // Cleanup, the ledger and the audit record.
  CLEANUP_FAILED: 'some temporary resources could not be removed: delete the leftovers it names, or run cleanup later',
  LEDGER_CORRUPT: 'the ledger of created resources cannot be read: check its resources with the orphan sweep, then move it away',
  AUDIT_WRITE_FAILED: 'the audit record could not be written: let the state machine\'s functions write to the audit table',
  // After the restore: repair and swap.
  REPAIR_FAILED: 'a repair statement failed (a unique key, a foreign key, a check, a trigger): the message names the table; rolled back, nothing was written',
  REPAIR_NOT_VERIFIED: 'after the repair the diff for the repaired categories was not empty (a trigger or a concurrent write?): rolled back; diff and repair again',
  SWAP_UNDO_UNCLEAR: 'swap --undo found no <schema>_replaced_<time> schema, or several: name the one to swap back with --with',
  // The construct's functions and the CLI's extras.
  HANDLER_MISCONFIGURED: 'a Lambda function lacks an environment variable: deploy it with the SchemaRestore construct',
  NO_TEMPORARY_SECRET: 'no temporary secret was created for the temporary host (a bug): report it',
  SAMPLE_FAILED: 'the sample databases or schemas of the demo could not be created: the message says why',
  DEMO_FAILED: 'the demo did not go as scripted (a bug): report it',
  INTERNAL: 'an unexpected error that is not a SchemaRestoreError (only in the CLI\'s --json output): report it with -v output',
} as const;

/** A stable error code: one of the keys of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Whether a string is one of the stable error codes.
 *
 * @example
 * isErrorCode('SCHEMA_EXISTS'); // true
 */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
