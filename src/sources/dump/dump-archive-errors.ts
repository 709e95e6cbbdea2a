import { ErrorCode, InvalidInputError, ToolError } from '../../errors';

/**
 * Codes of the {@link InvalidInputError}s a bad pg_dump archive source gives:
 * `ARCHIVE_NOT_FOUND` (no such file, object, bucket, or nothing under an S3 prefix),
 * `ARCHIVE_CORRUPT` (not a pg_dump archive, or damaged / truncated), `ARCHIVE_UNREADABLE`
 * (permission denied), `S3_ACCESS_DENIED` (credentials or region missing, wrong or not allowed),
 * `S3_UNREACHABLE` (the endpoint does not answer), `S3_FAILED` (any other S3 error),
 * `ARCHIVE_NOT_DATA` (a plain SQL archive holds a psql meta-command or a statement that would run
 * code or reach outside the server: it is refused before anything is loaded).
 */
export type DumpArchiveErrorCode = Extract<ErrorCode, 'ARCHIVE_NOT_FOUND' | 'ARCHIVE_CORRUPT' | 'ARCHIVE_UNREADABLE' | 'ARCHIVE_NOT_DATA' | 'S3_ACCESS_DENIED' | 'S3_UNREACHABLE' | 'S3_FAILED'>;

/** What the user should do about a source that is not a usable archive. */
const POINT_AT_A_DUMP = 'point --source at a file written by pg_dump';

export { archiveNotFound } from '../../aws/s3-errors';

/**
 * The source exists but is not a pg_dump archive, or it is damaged or cut short.
 *
 * @example
 * throw archiveCorrupt('/tmp/notes.txt is not a pg_dump archive (custom, directory, tar or plain SQL)');
 */
export function archiveCorrupt(problem: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`${problem}; ${POINT_AT_A_DUMP}`, { code: 'ARCHIVE_CORRUPT', cause });
}

/**
 * The error for bytes that are no pg_dump format at all, worded the same everywhere.
 *
 * @example
 * throw notAnArchive('s3://backups/notes.txt');
 */
export function notAnArchive(where: string): InvalidInputError {
  return archiveCorrupt(`${where} is not a pg_dump archive (custom, directory, tar or plain SQL)`);
}

/**
 * A local file or directory exists but cannot be read (permission denied).
 *
 * @example
 * throw archiveUnreadable('/backups/tenant_a.dump', err);
 */
export function archiveUnreadable(path: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`cannot read ${path}: permission denied; make it readable by the user running pg-schema-restore`,
    { code: 'ARCHIVE_UNREADABLE', cause });
}

/**
 * A plain SQL archive holds something other than data: a psql meta-command (other than pg_dump's
 * `\connect`/`\restrict`/`\unrestrict`) or a statement that runs code or reaches outside the server.
 *
 * @example
 * throw archiveNotData('/backups/tenant_a.sql', 12, 'psql meta-command \\!');
 * // '/backups/tenant_a.sql line 12: psql meta-command \! — …'
 */
export function archiveNotData(where: string, line: number, what: string): InvalidInputError {
  return new InvalidInputError(`${where} line ${line}: ${what} is not allowed in a pg_dump archive, which is loaded as data, never run as code; ` +
    'nothing was loaded (restore from the file pg_dump wrote)', { code: 'ARCHIVE_NOT_DATA' });
}

/** pg_restore / zlib messages that mean the archive's bytes are damaged or cut short, not that the restore went wrong. */
const DAMAGED_ARCHIVE = new RegExp([
  'unexpected end of file', 'end of file', 'could not read (from )?input file', 'could not open input file', 'input file is too short',
  'did not find magic string', 'input file does not appear to be a valid archive', 'unsupported version', 'sanity check',
  'unrecognized (data block type|file format)', 'expected format', 'could not find block ID', 'found unexpected block ID',
  '(incomplete|corrupt) tar header', 'could not find (header for )?file', 'could not (un|de)compress', 'corrupt', 'error during file seek',
  'incorrect header check', 'invalid (stored block|distance|code|block type)', 'reading its input failed',
].join('|'), 'i');

/** zlib's errors for a damaged or cut-off gzip stream (duck-typed: they may come from another realm). */
function isZlibError(err: unknown): err is Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_') && typeof (err as Error).message === 'string';
}

/**
 * Turn a failure reading an archive — pg_restore or psql failing on it, or gunzip failing on its
 * bytes — into a one-line error: damaged or truncated archives become `ARCHIVE_CORRUPT`, archives
 * too new for the local pg_restore a {@link ToolError} saying so; anything else keeps its own error.
 *
 * @example
 * await runTool(pgRestore, args).catch((err) => { throw explainArchiveFailure(err, 's3://b/k.dump'); });
 */
export function explainArchiveFailure(err: unknown, where: string): unknown {
  if (!(err instanceof ToolError) && !isZlibError(err)) return err;
  const detail = err.message.replace(/^\S+ (failed \([^)]*\)|stopped): /, '');
  // Archive format 1.x beyond what this pg_restore knows is a newer pg_dump; any other version is garbage.
  if (/unsupported version \(1\.\d+\)/i.test(detail)) {
    return new ToolError(`${where} was written by a newer pg_dump than the local pg_restore reads (${detail}); install newer PostgreSQL programs or point PG_BIN at them`, { cause: err });
  }
  if (!DAMAGED_ARCHIVE.test(err.message)) return err;
  return archiveCorrupt(`${where} is damaged or truncated (${detail})`, err);
}
