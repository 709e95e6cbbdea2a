import { checkPostgresUrl } from './postgres-url-arg';
import { checkNoRdsOptions, rdsSourceArg, SourceArgExtras } from './rds-source-arg';
import { isConninfo } from '../connection/conninfo';
import { InvalidInputError } from '../errors';
import { holdsBackupRuns, isPlainDirectory } from '../sources/backup/detect-backup-source';
import { RestoreSource } from '../sources/restore-source';

const SOURCE_FORMS = 'a postgres:// URL (a database holding the past), a pg_dump archive (path or s3://bucket/key), ' +
  'pitr:<base-backup-dir>?wal=<wal-archive-dir> with --at <time>, ' +
  'backups written by `backup` (s3://bucket/prefix/<database>/ or a directory; --at <time> for an older one), or rds:<instance-or-cluster-id>';

/** ISO 8601 date and time with seconds optional and a zone required: `2024-01-28T14:30:00Z`, `2024-01-28 15:30+01:00`. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Parse `--at`: an ISO 8601 time with an explicit zone, so that no one restores the wrong hour
 * because of the machine's time zone.
 *
 * @example
 * parseAtArg('2024-01-28T14:30:00Z'); // Date 2024-01-28T14:30:00.000Z
 */
export function parseAtArg(value: string): Date {
  const at = new Date(value.trim().replace(' ', 'T'));
  if (!ISO_TIME.test(value.trim()) || Number.isNaN(at.getTime()) || !isCalendarDate(value.trim().slice(0, 10))) {
    const hint = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim()) ? ' with a time zone' : '';
    throw new InvalidInputError(`--at must be an ISO 8601 time${hint} (got "${value}"), e.g. --at 2024-01-28T14:30:00Z (UTC) or 2024-01-28T15:30:00+01:00`);
  }
  return at;
}

/** `2024-02-30` is not a day, though `Date` would quietly roll it over to March. */
function isCalendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** `user:password@host`: a connection string that lost its `postgres://`, not a file name. */
const CREDENTIALS = /[^/@\s]+:[^/@\s]*@/;

function protocolOf(value: string): string | undefined {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(value);
  return match?.[1].toLowerCase();
}

function pitrSource(value: string, at: Date | undefined): RestoreSource {
  const rest = value.slice('pitr:'.length);
  const query = rest.indexOf('?');
  const baseBackup = query < 0 ? rest : rest.slice(0, query);
  const walArchive = query < 0 ? undefined : new URLSearchParams(rest.slice(query + 1)).get('wal') ?? undefined;
  const example = '--source "pitr:/backups/base?wal=/backups/wal" --at 2024-01-28T14:30:00Z';
  if (!baseBackup) throw new InvalidInputError(`--source pitr: needs the base backup directory, e.g. ${example}`);
  if (!walArchive) throw new InvalidInputError(`--source pitr: needs the WAL archive as ?wal=<dir>, e.g. ${example}`);
  if (!at) throw new InvalidInputError(`--source pitr: needs --at <time>, the moment to recover to, e.g. ${example}`);
  return { kind: 'pitr', baseBackup, walArchive, targetTime: at };
}

/**
 * Turn `--source` (and `--at`, and the rds options) into a restore source: a `postgres://` URL or a
 * keyword/value string (`host=db dbname=past`, `service=…`) stays a connection string; `s3://…` and file paths are pg_dump archives,
 * except a directory holding backup runs and an `s3://…/` prefix with `--at`, which are backups (`{ kind: 'backup' }`; a
 * prefix without `--at` is told apart when the restore lists it); `pitr:<dir>?wal=<dir>` is a base
 * backup recovered to `--at`; `rds:<id>` is an RDS instance or Aurora cluster restored temporarily. Never echoes the value of a URL, which may carry a password.
 *
 * @example
 * parseSourceArg('s3://backups/tenant_a/'); // { kind: 'dump', path: 's3://backups/tenant_a/' }
 * parseSourceArg('pitr:/b/base?wal=/b/wal', { at: new Date('2024-01-28T14:30:00Z') }); // { kind: 'pitr', ... }
 */
export function parseSourceArg(value: string | undefined, extras: SourceArgExtras = {}): string | RestoreSource {
  if (value === undefined || value.trim() === '') throw new InvalidInputError(`missing --source: ${SOURCE_FORMS}`);
  const protocol = protocolOf(value);
  if (protocol === 'rds') return rdsSourceArg(value, extras);
  const at = extras.at;
  if (protocol === 'pitr') {
    checkNoRdsOptions(extras, 'a base backup');
    return pitrSource(value, at);
  }
  const onlyForPitr = (what: string) => new InvalidInputError(`--at applies to pitr: and rds: sources only; ${what}, so leave --at out (or recover a base backup with --source "pitr:<dir>?wal=<dir>")`);
  if (protocol === 'postgres' || protocol === 'postgresql' || (!protocol && isConninfo(value))) {
    if (at) throw onlyForPitr('a database is read as it is when the restore starts');
    checkNoRdsOptions(extras, 'a postgres:// URL');
    return checkPostgresUrl(value, { option: '--source', example: 'postgres://user@host:5432/tenant_a_past' });
  }
  if (protocol === 's3' && !/^s3:\/\/[^/]+/i.test(value)) throw new InvalidInputError('--source s3:// needs a bucket, e.g. s3://backups/tenant_a.dump or s3://backups/nightly/ for the newest archive under a prefix');
  // A one-letter "protocol" is a Windows drive; anything else with :// is a URL we do not read.
  if (protocol && protocol !== 's3' && protocol.length > 1 && value.slice(protocol.length + 1).startsWith('//')) {
    throw new InvalidInputError(`--source cannot read ${protocol}:// URLs; use ${SOURCE_FORMS}`);
  }
  if (CREDENTIALS.test(value)) throw new InvalidInputError('--source looks like a connection string without its scheme; write it as postgres://user:password@host:5432/database');
  // Backups written by `backup`: a directory of runs; with --at, any S3 prefix or directory (a dump has no --at; without it,
  // the restore tells a prefix of runs from one of plain archives).
  if (holdsBackupRuns(value) || (at && (protocol === 's3' ? value.endsWith('/') : isPlainDirectory(value)))) {
    checkNoRdsOptions(extras, 'backups');
    return { kind: 'backup', location: value, ...at ? { at } : {} };
  }
  if (at) throw onlyForPitr('a pg_dump archive holds the database as of its dump time');
  checkNoRdsOptions(extras, 'a pg_dump archive');
  return { kind: 'dump', path: value };
}
