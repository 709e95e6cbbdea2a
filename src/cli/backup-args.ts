import { BackupDatabaseOptions } from '../backups/backup-database';
import { InvalidInputError } from '../errors';
import { parseLockTimeoutArg } from './lock-timeout-arg';
import { checkPostgresUrl } from './postgres-url-arg';
import { checkEndpoint, checkJobs } from './restore-args';
import { parseS3Uri } from '../aws/s3-object';

/** Options of `pg-schema-restore backup` as commander hands them over, not yet checked. */
export interface RawBackupArgs {
  readonly source?: string;
  readonly to?: string;
  readonly schema?: string[];
  readonly jobs?: string;
  readonly lockWaitTimeout?: string;
  readonly kmsKey?: string;
  readonly s3Endpoint?: string;
  readonly json?: boolean;
}

/** A checked `backup` command: what to pass to `backupDatabase`, and how to print the outcome. */
export interface BackupCommandOptions {
  readonly backup: Omit<BackupDatabaseOptions, 'onProgress' | 'signal' | 'source'> & { readonly source: string };
  readonly json: boolean;
}

const EXAMPLE_SOURCE = 'postgres://backup@db.internal:5432/app';
const EXAMPLE_TO = '--to s3://backups/nightly/ or --to /var/backups/pgsr/';

function checkTo(value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new InvalidInputError(`missing --to: where the backup goes, ${EXAMPLE_TO}`);
  const s3 = parseS3Uri(value);
  if (/^s3:/i.test(value) && (!s3 || s3.bucket === '')) throw new InvalidInputError(`--to s3:// needs a bucket, e.g. ${EXAMPLE_TO}`);
  if (!s3 && /^[a-z][a-z0-9+.-]+:\/\//i.test(value)) throw new InvalidInputError(`--to takes an s3:// prefix or a local directory, e.g. ${EXAMPLE_TO}`);
  return value;
}

function checkSchemas(schemas: readonly string[] | undefined): string[] | undefined {
  if (schemas === undefined) return undefined;
  if (schemas.some((s) => s.length === 0)) throw new InvalidInputError('--schema must not be empty; pass the exact (case-sensitive) schema name, or no --schema for every schema');
  const repeated = schemas.find((s, i) => schemas.indexOf(s) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`--schema "${repeated}" is given twice; name each schema once`);
  return [...schemas];
}

/**
 * Check the `backup` command's options before anything runs, turning each mistake into a one-line
 * {@link InvalidInputError}. `--kms-key` and `--s3-endpoint` apply to an `s3://` `--to` only. Never
 * echoes `--source`, which may carry a password.
 *
 * @example
 * parseBackupArgs({ source: 'postgres://backup@db/app', to: 's3://backups/nightly/', jobs: '4' });
 * // → { backup: { source, to: 's3://backups/nightly/', jobs: 4, s3: {} }, json: false }
 */
export function parseBackupArgs(raw: RawBackupArgs): BackupCommandOptions {
  if (raw.source === undefined || raw.source.trim() === '') {
    throw new InvalidInputError(`missing --source <postgres-url>: the database to back up, e.g. --source ${EXAMPLE_SOURCE} (or PGSR_SOURCE)`);
  }
  const source = checkPostgresUrl(raw.source, { option: '--source', example: EXAMPLE_SOURCE });
  const to = checkTo(raw.to);
  const schemas = checkSchemas(raw.schema);
  const jobs = checkJobs(raw.jobs);
  const lockWaitTimeoutMs = raw.lockWaitTimeout === undefined ? undefined : parseLockTimeoutArg(raw.lockWaitTimeout, '--lock-wait-timeout');
  const onS3 = parseS3Uri(to) !== undefined;
  if (!onS3 && raw.kmsKey !== undefined) throw new InvalidInputError('--kms-key applies to an s3:// --to only; a directory is protected by its 0700/0600 permissions');
  if (!onS3 && raw.s3Endpoint !== undefined) throw new InvalidInputError('--s3-endpoint applies to an s3:// --to only');
  if (raw.kmsKey !== undefined && raw.kmsKey.trim() === '') throw new InvalidInputError('--kms-key must not be empty: a KMS key ARN, id or alias/<name>');
  return {
    backup: {
      source,
      to,
      ...(schemas ? { schemas } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      ...(lockWaitTimeoutMs !== undefined ? { lockWaitTimeoutMs } : {}),
      ...(onS3 ? {
        s3: {
          ...(raw.kmsKey !== undefined ? { kmsKeyId: raw.kmsKey } : {}),
          ...(raw.s3Endpoint !== undefined ? { endpoint: checkEndpoint(raw.s3Endpoint) } : {}),
        },
      } : {}),
    },
    json: raw.json === true,
  };
}
