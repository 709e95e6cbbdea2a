import { inspectDumpArchive, InspectDumpArchiveOptions } from './inspect-dump-archive';
import { DumpSource } from '../restore-source';
import { CopiedTable } from './scan-dump-text';

/** Options of {@link countArchiveRows}: how to reach S3 and pg_restore. */
export type CountArchiveRowsOptions = Omit<InspectDumpArchiveOptions, 'schemas' | 'countRows'>;

/**
 * Count the rows and bytes of every table of some schemas in a pg_dump archive, creating nothing:
 * the schemas' data is streamed (`pg_restore --data-only -n …` for archives, the whole file for
 * plain SQL) and its COPY rows counted line by line, in constant memory. A schema the archive does
 * not hold gives {@link SchemaNotFoundError}. `inspectDumpArchive` with `countRows` gives the same
 * together with the archive's facts, in one pass.
 *
 * @example
 * const sizes = await countArchiveRows({ kind: 'dump', path: '/backups/tenant_a.dump' }, ['customer_a1']);
 * // [{ schema: 'customer_a1', table: 'users', rows: 200, bytes: 24100 }, ...]
 */
export async function countArchiveRows(
  source: DumpSource, schemas: readonly string[], options: CountArchiveRowsOptions = {},
): Promise<CopiedTable[]> {
  return (await inspectDumpArchive(source, { ...options, schemas, countRows: true })).rows ?? [];
}
