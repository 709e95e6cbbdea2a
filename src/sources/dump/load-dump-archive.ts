import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainArchiveFailure } from './dump-archive-errors';
import { guardedPlainDump, psqlHasRestrict, restrictKey } from './guarded-plain-dump';
import { archiveStream, DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import { DatabaseConnection, libpqEnv } from '../../connection';
import { SchemaRestoreError, ToolError } from '../../errors';
import type { RunsPostgresPrograms } from '../../run-options';
import { runTool } from '../../run-tool';

/** pg_restore jobs for archives it can seek in (local custom and directory archives). */
export const PARALLEL_RESTORE_JOBS = 4;

export interface LoadDumpArchiveOptions extends RunsPostgresPrograms {
  /** The database to load into (the throwaway server's `url(db)`); programs get it as PG* variables, never in argv. */
  readonly database: DatabaseConnection;
  /** Run psql as this OS user — the throwaway server's, when we are root — never as root. */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /** The `pg_restore -L` list of what to restore (archives only; plain SQL is loaded whole). @default everything */
  readonly list?: string;
  /** Directory for the list file. */
  readonly workDir: string;
  /** Only these sections (`pg_restore --section`; archives only). @default all three */
  readonly sections?: readonly ('pre-data' | 'data' | 'post-data')[];
}

function withContext(err: unknown, archive: DumpArchive): unknown {
  // The guard stopped the stream psql read: its own error says which line.
  if (err instanceof ToolError && err.cause instanceof SchemaRestoreError) return err.cause;
  const explained = explainArchiveFailure(err, archive.location.display);
  if (explained !== err || !(err instanceof ToolError)) return explained;
  return new ToolError(`${err.message} (restoring ${archive.location.display} into a throwaway local server)`, { cause: err });
}

/** A connection string naming only a database (libpq expands a `-d` holding `=`): `dbname='x'`. */
function dbnameOnly(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Load an archive into a database: `pg_restore --exit-on-error --no-tablespaces -L list` for
 * custom, tar and directory archives (4 jobs when it reads a local custom or directory archive by
 * path; one job when the archive is streamed to its stdin, which cannot seek), `psql -v
 * ON_ERROR_STOP=1` for plain SQL, which cannot be filtered and is loaded whole. Security labels are
 * left out: their providers are not loaded in a throwaway server. Plain SQL reaches psql through
 * its stdin, checked line by line as it goes (see `guardedPlainDump`), in restricted mode when this
 * psql has `\restrict`, with psql running as `runAs`. The password travels as PGPASSWORD.
 *
 * @example
 * await loadDumpArchive(archive, { binaries, database: cluster.url('tenant_a'), list: plan.list, workDir });
 */
export async function loadDumpArchive(archive: DumpArchive, options: LoadDumpArchiveOptions): Promise<void> {
  try {
    if (archive.format !== 'plain') {
      const env = libpqEnv(options.database);
      const args = ['-d', dbnameOnly(env.PGDATABASE ?? 'postgres'), '--exit-on-error', '--no-tablespaces', '--no-security-labels'];
      if (options.list !== undefined) {
        const listFile = join(options.workDir, 'restore.list');
        writeFileSync(listFile, options.list);
        args.push('-L', listFile);
      }
      for (const section of options.sections ?? []) args.push(`--section=${section}`);
      if (archive.seekable && archive.format !== 'tar') args.push('-j', String(PARALLEL_RESTORE_JOBS));
      // Without the data section only the table of contents is read (from S3 only the archive's start).
      const tocOnly = options.sections !== undefined && options.sections.length > 0 && !options.sections.includes('data');
      await runPgRestore(archive, args, { ...options, env, tocOnly });
      return;
    }
    const env = libpqEnv(options.database);
    const key = psqlHasRestrict(options.binaries.version) ? restrictKey() : undefined;
    await runTool(options.binaries.path('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', '-'], {
      stdin: guardedPlainDump(await archiveStream(archive), { where: archive.location.display, restrictKey: key }),
      env,
      secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [],
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      signal: options.signal,
    });
  } catch (err) {
    throw withContext(err, archive);
  }
}
