import { PassThrough } from 'node:stream';
import { checkSchemasInArchive } from './dump-schema-plan';
import { examineDumpArchive, InspectDumpArchiveOptions } from './inspect-dump-archive';
import { openDumpArchive } from './open-dump-archive';
import { DumpSource } from '../restore-source';
import { runPgRestore } from './run-pg-restore';
import { CopiedTable, scanDumpText } from './scan-dump-text';
import { AbortedError } from '../../errors';
import { findPostgresBinaries } from '../../local/postgres-binaries';

/** Options of {@link countArchiveRows}: how to reach S3 and pg_restore. */
export type CountArchiveRowsOptions = Omit<InspectDumpArchiveOptions, 'schemas'>;

/**
 * Count the rows and bytes of every table of some schemas in a pg_dump archive, creating nothing:
 * the schemas' data is streamed (`pg_restore --data-only -n …` for archives, the whole file for
 * plain SQL) and its COPY rows counted line by line, in constant memory. A schema the archive does
 * not hold gives {@link SchemaNotFoundError}. Used by `--dry-run` for rows and bytes.
 *
 * @example
 * const sizes = await countArchiveRows({ kind: 'dump', path: '/backups/tenant_a.dump' }, ['customer_a1']);
 * // [{ schema: 'customer_a1', table: 'users', rows: 200, bytes: 24100 }, ...]
 */
export async function countArchiveRows(
  source: DumpSource, schemas: readonly string[], options: CountArchiveRowsOptions = {},
): Promise<CopiedTable[]> {
  const binaries = options.binaries ?? findPostgresBinaries({ require: ['pg_restore'] });
  const archive = await openDumpArchive(source.path, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal: options.signal });
  const where = archive.location.display;
  try {
    const contents = await examineDumpArchive(archive, { binaries, signal: options.signal });
    checkSchemasInArchive(schemas, contents.schemas, where);
    const wanted = (t: CopiedTable): boolean => schemas.includes(t.schema);
    // Plain SQL cannot be filtered: examining it already read it all.
    if (contents.plain) return contents.plain.tables.filter(wanted);
    const data = new PassThrough();
    const args = ['--data-only', ...schemas.flatMap((s) => ['-n', s]), '-f', '-'];
    const [, scan] = await Promise.all([runPgRestore(archive, args, { binaries, stdout: data, signal: options.signal }), scanDumpText(data)]);
    return scan.tables.filter(wanted);
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError('counting the archive\'s rows was aborted');
    throw err;
  } finally {
    archive.location.close();
  }
}
