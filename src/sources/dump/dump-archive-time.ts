import { DetectedArchiveFormat, describeArchiveFormat } from './dump-archive-format';
import { DumpTextScan } from './scan-dump-text';
import { formatInstant } from '../../format-units';

/** When an archive was dumped, and how that is known. */
export interface DumpTime {
  readonly at: Date;
  /**
   * `toc`: the archive's table of contents; `started-on`: a plain dump's `-- Started on` line
   * (pg_dump --verbose); `modified`: the file's mtime or the S3 object's LastModified, when the
   * dump itself does not say.
   */
  readonly from: 'toc' | 'started-on' | 'modified';
  /** Set when the time had to be read under an assumption the user should know of. */
  readonly warning?: string;
}

const UTC_NAMES = /^(UTC|GMT|UCT|Z|Etc\/UTC|Coordinated Universal Time)?$/i;
const NUMERIC_OFFSET = /^([+-])(\d\d):?(\d\d)?$/;

/**
 * The dump time of a plain SQL dump: its `-- Started on` line (a wall-clock time followed by the
 * zone pg_dump's machine printed: UTC and numeric offsets are exact, a zone abbreviation such as
 * `CET` is ambiguous and read as UTC with a warning), else the file's modification time.
 *
 * @example
 * plainDumpTime(scan, stat.mtime); // { at: 2024-01-28T14:30:00Z, from: 'started-on' }
 */
export function plainDumpTime(scan: Pick<DumpTextScan, 'startedOn'>, modifiedAt: Date): DumpTime {
  if (!scan.startedOn) return { at: modifiedAt, from: 'modified' };
  const { wallClock, zone } = scan.startedOn;
  if (UTC_NAMES.test(zone)) return { at: wallClock, from: 'started-on' };
  const offset = NUMERIC_OFFSET.exec(zone);
  if (offset) {
    const minutes = (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) * (offset[1] === '-' ? -1 : 1);
    return { at: new Date(wallClock.getTime() - minutes * 60_000), from: 'started-on' };
  }
  return {
    at: wallClock,
    from: 'started-on',
    warning: `the dump's start time was written in time zone "${zone}", which cannot be resolved exactly; it was read as UTC (dump with TZ=UTC to avoid this)`,
  };
}

/**
 * How the dump time reads in a description: `dumped 2024-01-28T14:30:00Z` or, when only the file
 * says, `file modified 2024-01-28T14:30:00Z (the dump holds no time)`.
 *
 * @example
 * describeDumpTime({ at: new Date('2024-01-28T14:30:00Z'), from: 'toc' }); // 'dumped 2024-01-28T14:30:00Z'
 */
export function describeDumpTime(time: DumpTime): string {
  return time.from === 'modified' ? `file modified ${formatInstant(time.at)} (the dump holds no time)` : `dumped ${formatInstant(time.at)}`;
}

/**
 * An archive in one line for people, with its format and dump time; no secrets.
 *
 * @example
 * describeDumpArchive('s3://backups/tenant_a.dump', { format: 'custom', gzip: false }, { at, from: 'toc' });
 * // 'pg_dump archive s3://backups/tenant_a.dump (custom format, dumped 2024-01-28T14:30:00Z)'
 */
export function describeDumpArchive(where: string, format: DetectedArchiveFormat, time: DumpTime): string {
  return `pg_dump archive ${where} (${describeArchiveFormat(format)}, ${describeDumpTime(time)})`;
}
