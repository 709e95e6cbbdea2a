import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCreatedRoles, describeLoadedSchemas, describeSkippedData } from './describe-load';
import { describeDumpArchive } from './dump-archive-time';
import { checkSchemasInArchive, DumpSchemaPlan, planDumpSchemas, rolesInPlainDump } from './dump-schema-plan';
import { ArchiveContents, examineDumpArchive } from './inspect-dump-archive';
import { loadChosenTables } from './load-chosen-tables';
import { loadDumpArchive } from './load-dump-archive';
import { DumpArchive, openDumpArchive } from './open-dump-archive';
import { prepareRestoreDatabase } from './prepare-restore-database';
import { chosenTables } from '../../ddl/chosen-tables';
import { AbortedError } from '../../errors';
import { writeOwnerRecord } from '../../local/cluster-registry';
import { LocalCluster, startLocalCluster } from '../../local/local-cluster';
import { findPostgresBinaries, PostgresBinaries } from '../../local/postgres-binaries';
import { safeListener } from '../../progress';
import type { RunsPostgresPrograms } from '../../run-options';
import { DumpSource, RestoreTemporaryOptions, TemporaryDatabase } from '../restore-source';

/** Database name for plain SQL dumps, which do not record theirs. */
const PLAIN_DATABASE = 'restored';

/** Programs the throwaway server and the restore need. */
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_restore', 'psql'];

/**
 * The dumped server's DDL may use syntax an older server rejects: when the programs were found (not
 * given) and are older than the dumped server, look for programs at least as new (a clear error
 * naming the version needed when there are none).
 */
function programsFor(contents: ArchiveContents, found: PostgresBinaries, given: boolean): PostgresBinaries {
  if (given || contents.serverMajor === undefined || contents.serverMajor <= found.major) return found;
  return findPostgresBinaries({ require: PROGRAMS, minMajor: contents.serverMajor });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}


/** What to restore: for archives the requested schemas and their dependencies; plain SQL is loaded whole. */
async function planRestore(
  archive: DumpArchive, contents: ArchiveContents, requested: string[], ctx: RunsPostgresPrograms & { workDir: string },
): Promise<DumpSchemaPlan> {
  // Large objects too: restored rows may refer to them (the restore copies only those they do).
  if (contents.toc) return planDumpSchemas(archive, contents.toc, requested, { ...ctx, largeObjects: true });
  const roles = await rolesInPlainDump(contents.plain?.ddl ?? '', archive.location.display);
  return { requested, dependencies: contents.schemas.filter((s) => !requested.includes(s)), emptySchemas: [], roles, list: '' };
}

/**
 * Restore schemas from a pg_dump archive — a local file or directory, `s3://bucket/key`, or the
 * newest object under `s3://bucket/prefix/`; custom, tar, directory or plain SQL (optionally
 * gzip-compressed) — into a throwaway local PostgreSQL server, and return where to read them.
 *
 * - Only `options.schemas` are restored, plus the schemas their DDL refers to (e.g. `public` for a
 *   shared lookup table or the citext type, with its data so foreign keys validate), extensions,
 *   languages and foreign servers, and the large objects, which belong to no schema; other
 *   tenants' schemas are not. Plain SQL cannot be filtered and is loaded whole (a warning says so).
 * - With `options.tables` (a table-level restore), an archive loads the rows of only those tables
 *   and what they need (see `loadChosenTables`); the definitions stay whole.
 * - The database is named as the dumped one (`options.database` wins; `restored` for plain SQL).
 * - Roles the DDL names are created as NOLOGIN placeholders first, so owners and grants come back.
 * - S3 objects are streamed into pg_restore / psql, never held in memory or written to disk.
 * - Archives are data, never code: a plain SQL archive holding a psql meta-command (other than
 *   pg_dump's `\connect`/`\restrict`/`\unrestrict`) or SQL that runs code or reaches outside the
 *   server is refused with `ARCHIVE_NOT_DATA`, naming the line, before anything is created.
 * - The throwaway server admits only this restore (a random password, no `trust`, a private socket).
 * - The restore point is the archive's dump time. Archives record the dumping machine's wall-clock
 *   time without a zone; it is read as UTC (exact when pg_dump ran with TZ=UTC, as on RDS and in
 *   most containers). Plain dumps use their `-- Started on` line, else the file's mtime or the
 *   object's LastModified; the description says which.
 *
 * Any failure or abort while building removes the server and temporary files before rejecting.
 * Call `cleanup()` when done.
 *
 * @example
 * const past = await restoreDumpArchive({ kind: 'dump', path: 's3://backups/tenant_a/' }, { schemas: ['customer_a1'] });
 * try {
 *   await restoreSchema({ source: past.connection, target: liveUrl, schemas: ['customer_a1'] });
 * } finally {
 *   await past.cleanup();
 * }
 */
export async function restoreDumpArchive(source: DumpSource, options: RestoreTemporaryOptions = {}): Promise<TemporaryDatabase> {
  const emit = safeListener(options.onProgress);
  const signal = options.signal;
  let archive: DumpArchive | undefined;
  let workDir: string | undefined;
  let cluster: LocalCluster | undefined;
  try {
    throwIfAborted(signal);
    const found = options.binaries ?? findPostgresBinaries({ require: PROGRAMS });
    archive = await openDumpArchive(source.path, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal });
    const where = archive.location.display;
    if (archive.format === 'plain') emit({ type: 'log', level: 'info', message: `reading ${where} once for its schemas, roles and dump time (plain SQL has no table of contents)` });
    const contents = await examineDumpArchive(archive, { binaries: found, keepDdl: true, signal });
    const binaries = programsFor(contents, found, options.binaries !== undefined);
    const requested = [...(options.schemas ?? contents.schemas)];
    checkSchemasInArchive(requested, contents.schemas, where);
    workDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'pgsr-dump-'));
    writeOwnerRecord(workDir);
    const plan = await planRestore(archive, contents, requested, { binaries, workDir, signal });
    const description = describeDumpArchive(where, archive, contents.time);
    const plain = archive.format === 'plain';
    emit({
      type: 'phase',
      phase: 'source',
      status: 'start',
      message: plain
        ? `loading all of ${description} into a throwaway local server (plain SQL cannot be filtered)`
        : `restoring ${describeLoadedSchemas(plan)} from ${description} into a throwaway local server`,
    });
    throwIfAborted(signal);
    cluster = await startLocalCluster({ binaries, baseDir: options.baseDir, signal });
    const database = options.database ?? contents.database ?? PLAIN_DATABASE;
    const { createdRoles } = await prepareRestoreDatabase(cluster.url('postgres'), database, plan.roles);
    const rolesMessage = describeCreatedRoles(createdRoles, "the dump's");
    if (rolesMessage) emit({ type: 'log', level: 'info', message: rolesMessage });
    throwIfAborted(signal);
    const load = { binaries, database: cluster.url(database), workDir, runAs: cluster.osUser, signal };
    const chosen = options.tables && chosenTables({ schemas: requested, tables: [...options.tables] });
    if (chosen && contents.toc) {
      const skipped = await loadChosenTables(archive, { ...load, list: plan.list, toc: contents.toc, chosen, schemas: requested });
      emit({ type: 'log', level: 'info', message: describeSkippedData(skipped) });
    } else {
      await loadDumpArchive(archive, { ...load, list: plain ? undefined : plan.list });
    }
    throwIfAborted(signal);
    const warnings = [
      ...(contents.time.warning ? [contents.time.warning] : []),
      ...(plain && plan.dependencies.length > 0 ? [`plain SQL cannot be filtered: all of ${where} was loaded, also ${plan.dependencies.join(', ')}`] : []),
    ];
    const restored = plain ? `all of ${where} (${contents.schemas.join(', ')})` : describeLoadedSchemas(plan);
    emit({ type: 'phase', phase: 'source', status: 'done', message: `restored ${restored} into database ${database} on a throwaway local server` });
    const server = cluster;
    return {
      kind: 'dump',
      connection: server.url(database),
      restorePoint: contents.time.at,
      description,
      warnings,
      cleanup: () => server.stop(),
    };
  } catch (err) {
    await cluster?.stop();
    if (signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    archive?.location.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
}
