import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainArchiveFailure } from './dump-archive-errors';
import { archiveStream, DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import { ToolError } from '../../errors';
import { PostgresBinaries } from '../../local/postgres-binaries';
import { runTool } from '../../run-tool';

/** pg_restore jobs for archives it can seek in (local custom and directory archives). */
export const PARALLEL_RESTORE_JOBS = 4;

export interface LoadDumpArchiveOptions {
  readonly binaries: PostgresBinaries;
  /** `postgres://` URL of the database to load into (no password: the throwaway server trusts loopback). */
  readonly database: string;
  /** The `pg_restore -L` list of what to restore (archives only; plain SQL is loaded whole). @default everything */
  readonly list?: string;
  /** Directory for the list file. */
  readonly workDir: string;
  readonly signal?: AbortSignal;
}

function withContext(err: unknown, archive: DumpArchive): unknown {
  const explained = explainArchiveFailure(err, archive.location.display);
  if (explained !== err || !(err instanceof ToolError)) return explained;
  return new ToolError(`${err.message} (restoring ${archive.location.display} into a throwaway local server)`, { cause: err });
}

/**
 * Load an archive into a database: `pg_restore --exit-on-error --no-tablespaces -L list` for
 * custom, tar and directory archives (4 jobs when it reads a local custom or directory archive by
 * path; one job when the archive is streamed to its stdin, which cannot seek), `psql -v
 * ON_ERROR_STOP=1` for plain SQL, which cannot be filtered and is loaded whole. Security labels are
 * left out: their providers are not loaded in a throwaway server.
 *
 * @example
 * await loadDumpArchive(archive, { binaries, database: cluster.url('tenant_a'), list: plan.list, workDir });
 */
export async function loadDumpArchive(archive: DumpArchive, options: LoadDumpArchiveOptions): Promise<void> {
  try {
    if (archive.format !== 'plain') {
      const args = ['-d', options.database, '--exit-on-error', '--no-tablespaces', '--no-security-labels'];
      if (options.list !== undefined) {
        const listFile = join(options.workDir, 'restore.list');
        writeFileSync(listFile, options.list);
        args.push('-L', listFile);
      }
      if (archive.seekable && archive.format !== 'tar') args.push('-j', String(PARALLEL_RESTORE_JOBS));
      await runPgRestore(archive, args, options);
      return;
    }
    const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-d', options.database];
    const local = archive.location.localPath !== undefined && !archive.gzip;
    await runTool(options.binaries.path('psql'), [...args, '-f', local ? archive.location.localPath! : '-'], {
      stdin: local ? undefined : await archiveStream(archive),
      signal: options.signal,
    });
  } catch (err) {
    throw withContext(err, archive);
  }
}
