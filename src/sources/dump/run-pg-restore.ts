import { Readable, Writable } from 'node:stream';
import { onArchiveHead, readsHead } from './archive-head';
import { explainArchiveFailure } from './dump-archive-errors';
import { archiveStream, DumpArchive } from './open-dump-archive';
import { ToolError } from '../../errors';
import type { RunsPostgresPrograms } from '../../run-options';
import { runTool, ToolResult } from '../../run-tool';

export interface RunPgRestoreOptions extends RunsPostgresPrograms {
  /** Stream pg_restore's stdout here instead of collecting it. */
  readonly stdout?: Writable;
  /** Extra environment (PG* variables of the database to restore into: its password never goes on the command line). */
  readonly env?: Record<string, string>;
  /**
   * The pass needs only the table of contents (definitions; no table data): a streamed custom archive
   * at a location that reads ranges is then read only up to it (see `onArchiveHead`). @default false
   */
  readonly tocOnly?: boolean;
}

const FORMAT_FLAGS = { custom: 'c', tar: 't', directory: 'd' } as const;

/**
 * Run `pg_restore` on an archive: by path when it is a local uncompressed file or directory, else
 * streamed to its stdin (S3 objects, gzip-compressed files); with `tocOnly`, a custom archive in S3
 * only up to the end of its table of contents. Runs with `TZ=UTC`, so the archive's
 * zone-less dump time prints as UTC. A damaged or truncated archive gives `ARCHIVE_CORRUPT`.
 *
 * @example
 * const { stdout } = await runPgRestore(archive, ['-l'], { binaries });
 */
export async function runPgRestore(archive: DumpArchive, args: string[], options: RunPgRestoreOptions): Promise<ToolResult> {
  if (archive.format === 'plain') throw new ToolError(`pg_restore cannot read plain SQL (${archive.location.display}); load it with psql`);
  const fullArgs = [...args, '-F', FORMAT_FLAGS[archive.format]];
  if (archive.seekable) fullArgs.push(archive.location.localPath!);
  const env: Record<string, string> = { ...options.env, TZ: 'UTC' };
  const secrets = env.PGPASSWORD ? [env.PGPASSWORD] : [];
  const run = (stdin: Readable | undefined): Promise<ToolResult> =>
    runTool(options.binaries.path('pg_restore'), fullArgs, { env, secrets, stdin, stdout: options.stdout, signal: options.signal });
  const whole = async (): Promise<ToolResult> => run(archive.seekable ? undefined : await archiveStream(archive));
  try {
    return await (options.tocOnly && options.stdout === undefined && readsHead(archive) ? onArchiveHead(archive.location, run, whole) : whole());
  } catch (err) {
    throw explainArchiveFailure(err, archive.location.display);
  }
}
