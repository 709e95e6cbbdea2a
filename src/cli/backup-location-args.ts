import { Command } from 'commander';
import { checkEndpoint } from './restore-args';
import type { BackupLocationOptions } from '../backups/backup-location';
import { InvalidInputError } from '../errors';

/** `--from` and `--s3-endpoint` as commander hands them over. */
export interface RawBackupLocationArgs {
  readonly from?: string;
  readonly s3Endpoint?: string;
}

/**
 * Add `--from <location>` and `--s3-endpoint <url>` to a command that reads backups.
 *
 * @example
 * addBackupLocationOptions(backupCommand(program).command('list'));
 */
export function addBackupLocationOptions(command: Command): Command {
  return command
    .option('--from <location>', 'where the backups are: s3://bucket/prefix/ or a directory (a root of several databases, or one database\'s directory)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// locations (default: AWS_ENDPOINT_URL_S3, else AWS)');
}

/**
 * Check `--from` (required, not empty) and `--s3-endpoint` (an http(s) URL).
 *
 * @example
 * parseBackupLocationArgs({ from: 's3://backups/nightly/', s3Endpoint: 'http://127.0.0.1:9000' });
 * // → { from: 's3://backups/nightly/', s3: { endpoint: 'http://127.0.0.1:9000' } }
 */
export function parseBackupLocationArgs(raw: RawBackupLocationArgs): BackupLocationOptions {
  if (raw.from === undefined || raw.from.trim() === '') {
    throw new InvalidInputError('--from <location> is required: where the backups are, e.g. --from s3://backups/nightly/ or --from /var/backups/pgsr');
  }
  if (/^s3:\/\/\/?$/.test(raw.from) || /^s3:\/\/\//.test(raw.from)) throw new InvalidInputError(`--from ${raw.from} names no bucket; use s3://bucket/prefix/`);
  return { from: raw.from, ...(raw.s3Endpoint !== undefined ? { s3: { endpoint: checkEndpoint(raw.s3Endpoint) } } : {}) };
}
