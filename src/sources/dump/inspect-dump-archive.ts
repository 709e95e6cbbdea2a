import { countRowsIn } from './archive-rows';
import { archiveCorrupt, explainArchiveFailure } from './dump-archive-errors';
import { DumpArchiveFormat } from './dump-archive-format';
import { describeDumpArchive, DumpTime, plainDumpTime } from './dump-archive-time';
import { ArchiveToc, readArchiveToc } from './dump-archive-toc';
import { checkSchemasInArchive } from './dump-schema-plan';
import { archiveStream, DumpArchive, openDumpArchive } from './open-dump-archive';
import { PlainDumpGuard } from './plain-dump-guard';
import { DumpSource, RestoreTemporaryOptions } from '../restore-source';
import { CopiedTable, DumpTextScan, scanDumpText } from './scan-dump-text';
import { AbortedError } from '../../errors';
import { findPostgresBinaries } from '../../local/postgres-binaries';
import type { RunsPostgresPrograms } from '../../run-options';

/** What can be known of a pg_dump archive without creating anything. */
export interface DumpArchiveInfo {
  /** The local path, or `s3://bucket/key` (a prefix resolved to its newest object). */
  readonly location: string;
  readonly format: DumpArchiveFormat;
  /** The whole file is gzip-compressed (`dump.sql.gz`). */
  readonly gzip: boolean;
  /** `pg_dump archive s3://backups/tenant_a.dump (custom format, dumped 2024-01-28T14:30:00Z)` */
  readonly description: string;
  /** When the data is from; see {@link DumpTime} for how it is known. The archive's zone-less time is read as UTC. */
  readonly createdAt: Date;
  readonly createdAtFrom: DumpTime['from'];
  /** The dumped database's name; undefined for plain SQL. */
  readonly database?: string;
  /** Schemas in the archive, sorted. */
  readonly schemas: string[];
  /** Tables with data in the archive, by schema. */
  readonly tables: Record<string, string[]>;
  readonly sizeBytes: number;
  readonly warnings: string[];
  /** With `countRows`: COPY rows and bytes per table of `schemas`. */
  readonly rows?: CopiedTable[];
}

/** Options of {@link inspectDumpArchive}: how to reach S3 and pg_restore; `schemas` are checked when given. */
export type InspectDumpArchiveOptions = Pick<RestoreTemporaryOptions, 'schemas' | 'clients' | 's3Endpoint' | 'binaries' | 'signal'> & {
  /** Also stream the data of `schemas` and count its rows and bytes per table (`rows`), in the same pass. @default false */
  readonly countRows?: boolean;
};

/** An archive's contents: its table of contents, or for plain SQL what one pass over it found. */
export interface ArchiveContents {
  readonly time: DumpTime;
  readonly database?: string;
  /** Major version of the dumped server, when the dump says. */
  readonly serverMajor?: number;
  readonly schemas: string[];
  readonly tables: Record<string, string[]>;
  readonly toc?: ArchiveToc;
  readonly plain?: DumpTextScan;
}

function tablesBySchema(pairs: Array<{ schema: string; table: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { schema, table } of pairs) (out[schema] ??= []).push(table);
  return out;
}

/**
 * Read a plain dump once (keeping its DDL when asked), checking in the same pass that it is data
 * (`ARCHIVE_NOT_DATA` otherwise); a cut-off or damaged file gives `ARCHIVE_CORRUPT`.
 */
async function scanPlainDump(archive: DumpArchive, keepDdl: boolean): Promise<DumpTextScan> {
  const guard = new PlainDumpGuard(archive.location.display);
  const scan = await scanDumpText(await archiveStream(archive), { keepDdl, guard }).catch((err) => {
    throw explainArchiveFailure(err, archive.location.display);
  });
  if (!scan.complete) throw archiveCorrupt(`${archive.location.display} is truncated (it lacks pg_dump's closing "dump complete" line)`);
  return scan;
}

/**
 * Read what an opened archive holds: `pg_restore -l` for archives (only the table of contents is
 * read), one streamed pass for plain SQL (`keepDdl` keeps its DDL for the roles it names).
 *
 * @example
 * const contents = await examineDumpArchive(archive, { binaries });
 */
export async function examineDumpArchive(
  archive: DumpArchive, options: RunsPostgresPrograms & { keepDdl?: boolean },
): Promise<ArchiveContents> {
  if (archive.format === 'plain') {
    const plain = await scanPlainDump(archive, options.keepDdl ?? false);
    const schemas = [...new Set([...plain.createdSchemas, ...plain.tables.map((t) => t.schema)])].sort();
    const time = plainDumpTime(plain, archive.location.modifiedAt);
    return { time, serverMajor: plain.serverMajor, schemas, tables: tablesBySchema(plain.tables), plain };
  }
  const toc = await readArchiveToc(archive, options);
  const data = toc.entries.filter((e) => e.desc === 'TABLE DATA' && e.namespace !== undefined);
  return {
    time: { at: toc.createdAt, from: 'toc' },
    database: toc.database,
    serverMajor: toc.serverMajor,
    schemas: toc.schemas,
    tables: tablesBySchema(data.map((e) => ({ schema: e.namespace!, table: e.tag }))),
    toc,
  };
}

/**
 * Inspect a pg_dump archive (local or S3) for `--dry-run`, creating nothing: where it is (an S3
 * prefix resolved to its newest object), format, dump time, database, schemas, tables with data,
 * and size; with `countRows`, the rows and bytes of each table of `schemas` too. A plain SQL dump
 * is read once, streamed; other formats only up to their table of contents (and, to count rows, the
 * schemas' data). Bad input fails as the restore would (`ARCHIVE_NOT_FOUND`, `ARCHIVE_CORRUPT`, missing
 * schemas when `options.schemas` is given).
 *
 * @example
 * const info = await inspectDumpArchive({ kind: 'dump', path: 's3://backups/tenant_a/' }, { schemas: ['customer_a1'] });
 * console.log(info.location, info.createdAt.toISOString(), info.tables.customer_a1);
 */
export async function inspectDumpArchive(source: DumpSource, options: InspectDumpArchiveOptions = {}): Promise<DumpArchiveInfo> {
  const binaries = options.binaries ?? findPostgresBinaries({ require: ['pg_restore'] });
  const archive = await openDumpArchive(source.path, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal: options.signal });
  try {
    const contents = await examineDumpArchive(archive, { binaries, signal: options.signal });
    if (options.schemas) checkSchemasInArchive(options.schemas, contents.schemas, archive.location.display);
    const counted = options.schemas ?? contents.schemas;
    const rows = options.countRows ? await countRowsIn(archive, contents, counted, { binaries, signal: options.signal }) : undefined;
    return {
      location: archive.location.display,
      format: archive.format,
      gzip: archive.gzip,
      description: describeDumpArchive(archive.location.display, archive, contents.time),
      createdAt: contents.time.at,
      createdAtFrom: contents.time.from,
      database: contents.database,
      schemas: contents.schemas,
      tables: contents.tables,
      sizeBytes: archive.location.size,
      warnings: contents.time.warning ? [contents.time.warning] : [],
      ...rows ? { rows } : {},
    };
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError('inspecting the archive was aborted');
    throw err;
  } finally {
    archive.location.close();
  }
}
