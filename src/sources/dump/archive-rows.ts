import { PassThrough } from 'node:stream';
import type { ArchiveContents } from './inspect-dump-archive';
import { DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import { CopiedTable, scanDumpText } from './scan-dump-text';
import type { RunsPostgresPrograms } from '../../run-options';

/**
 * COPY rows and bytes per table of some schemas of an opened, examined archive: the schemas' data
 * streamed through `pg_restore --data-only -n …` and counted line by line, in constant memory; a
 * plain dump was already read whole when it was examined.
 *
 * @example
 * const rows = await countRowsIn(archive, await examineDumpArchive(archive, { binaries }), ['customer_a1'], { binaries });
 */
export async function countRowsIn(
  archive: DumpArchive, contents: ArchiveContents, schemas: readonly string[], options: RunsPostgresPrograms,
): Promise<CopiedTable[]> {
  const wanted = (t: CopiedTable): boolean => schemas.includes(t.schema);
  if (contents.plain) return contents.plain.tables.filter(wanted);
  const data = new PassThrough();
  const args = ['--data-only', ...schemas.flatMap((s) => ['-n', s]), '-f', '-'];
  const [, scan] = await Promise.all([runPgRestore(archive, args, { ...options, stdout: data }), scanDumpText(data)]);
  return scan.tables.filter(wanted);
}
