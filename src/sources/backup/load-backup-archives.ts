import type { Client } from 'pg';
import type { BackupLoadPlan } from './backup-load-plan';
import { StoredArchive, storedArchive } from './stored-archive';
import type { BackupStore } from '../../backups/backup-store';
import { connect, DatabaseConnection } from '../../connection';
import type { ChosenTable } from '../../ddl/table-closure';
import { SchemaRestoreError } from '../../errors';
import { ProgressListener } from '../../progress';
import { quoteIdent } from '../../quote';
import type { RunsPostgresPrograms } from '../../run-options';
import { describeSkippedData } from '../dump/describe-load';
import { readArchiveToc } from '../dump/dump-archive-toc';
import { rolesInPlainDump } from '../dump/dump-schema-plan';
import { loadChosenTables } from '../dump/load-chosen-tables';
import { loadDumpArchive } from '../dump/load-dump-archive';
import { runPgRestore } from '../dump/run-pg-restore';

/** Options of {@link loadBackupArchives}. */
export interface LoadBackupArchivesOptions extends RunsPostgresPrograms {
  /** The plan's archives (see {@link storedArchives}): the starts the roles pass read are not fetched again. */
  readonly archives: ReadonlyMap<string, StoredArchive>;
  /** The throwaway server's database, created and with the archives' roles (see {@link backupArchiveRoles}). */
  readonly database: DatabaseConnection;
  /** Run pg_restore's helpers as the throwaway server's OS user. */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /** Directory for pg_restore's list files. */
  readonly workDir: string;
  readonly emit: ProgressListener;
  /** A table-level restore's tables: a requested schema's archive then loads only the rows they need. @default - every table */
  readonly chosen?: readonly ChosenTable[];
}

/**
 * The plan's archives in the store, by schema name: one {@link StoredArchive} each for every pass
 * of a restore, so that the start of an archive read for its table of contents is read once.
 *
 * @example
 * const archives = storedArchives(plan, store);
 */
export function storedArchives(plan: BackupLoadPlan, store: BackupStore): Map<string, StoredArchive> {
  return new Map(plan.archives.map((schema) => [schema.name, storedArchive(store, plan.run.path, schema)]));
}

/**
 * The roles the plan's archives name (owners, grantees, policy roles), from their definitions
 * (`pg_restore --schema-only`, which reads the start of each archive: its table of contents; from
 * S3 a ranged read of it).
 *
 * @example
 * const roles = await backupArchiveRoles(plan, storedArchives(plan, store), { binaries });
 */
export async function backupArchiveRoles(
  plan: BackupLoadPlan, archives: ReadonlyMap<string, StoredArchive>, options: RunsPostgresPrograms,
): Promise<string[]> {
  const roles = new Set<string>();
  for (const schema of plan.archives) {
    const stored = archives.get(schema.name)!;
    const { stdout } = await runPgRestore(stored.archive, ['--schema-only', '-f', '-'], { ...options, tocOnly: true }).catch(async (err: unknown) => {
      await stored.verify(); // damaged (BACKUP_CORRUPT) rather than what pg_restore made of it
      throw err;
    });
    for (const role of await rolesInPlainDump(stdout, stored.archive.location.display)) roles.add(role);
  }
  return [...roles].sort();
}

/** Run SQL on the throwaway database, one session. */
async function onDatabase<T>(database: DatabaseConnection, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(database, 'temporary');
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Create the extensions the plan's schemas use, each in the schema it was installed in (created
 * first when missing: the archive of that schema then skips its CREATE SCHEMA).
 */
async function createExtensions(plan: BackupLoadPlan, database: DatabaseConnection): Promise<void> {
  if (plan.extensions.length === 0) return;
  await onDatabase(database, async (client) => {
    for (const extension of plan.extensions) {
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(extension.schema)}`);
        await client.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(extension.name)} WITH SCHEMA ${quoteIdent(extension.schema)}`);
      } catch (err) {
        throw new SchemaRestoreError('EXTENSION_MISSING',
          `the backup's schemas use extension ${extension.name}, which cannot be created on the throwaway local server: ${(err as Error).message}; install it for the local PostgreSQL`, { cause: err });
      }
    }
  });
}

/**
 * Load one schema's archive. When the schema exists already (`public`, or one an extension was
 * created in): everything but its CREATE SCHEMA, then the schema's owner as the archive says. With
 * chosen tables in it: only the rows they need (see {@link loadChosenTables}).
 */
async function loadSchemaArchive(archive: StoredArchive['archive'], schema: string, exists: boolean, options: LoadBackupArchivesOptions): Promise<void> {
  const chosen = options.chosen?.filter((c) => c.schema === schema) ?? [];
  if (!exists && chosen.length === 0) return loadDumpArchive(archive, options);
  const toc = await readArchiveToc(archive, options);
  const create = exists ? toc.entries.find((e) => e.desc === 'SCHEMA' && e.namespace === undefined && e.tag === schema) : undefined;
  const list = `${toc.entries.map((e) => (e === create ? `;${e.line}` : e.line)).join('\n')}\n`;
  if (chosen.length > 0) {
    const skipped = await loadChosenTables(archive, { ...options, list, toc, chosen, schemas: [schema] });
    options.emit({ type: 'log', level: 'info', message: `${schema}: ${describeSkippedData(skipped)}` });
  } else {
    await loadDumpArchive(archive, { ...options, list });
  }
  if (create?.owner) await onDatabase(options.database, (c) => c.query(`ALTER SCHEMA ${quoteIdent(schema)} OWNER TO ${quoteIdent(create.owner)}`));
}

/**
 * Load the plan's archives into the throwaway server, dependencies first, each streamed from the
 * store into `pg_restore` while its size and SHA-256 are computed (the only read of the whole
 * archive; passes for the table of contents read its start); the bytes are checked against
 * the manifest once pg_restore is done with them (also when pg_restore failed: a damaged archive
 * is then reported as such), so a damaged archive is `BACKUP_CORRUPT` before the database is read.
 * Extensions the schemas use are created first, in the schemas they were installed in.
 *
 * @example
 * await loadBackupArchives(plan, { archives, database: cluster.url('app'), binaries, workDir, emit });
 */
export async function loadBackupArchives(plan: BackupLoadPlan, options: LoadBackupArchivesOptions): Promise<void> {
  await createExtensions(plan, options.database);
  for (const schema of plan.archives) {
    options.signal?.throwIfAborted();
    const stored = options.archives.get(schema.name)!;
    const location = stored.archive.location.display;
    const started = Date.now();
    options.emit({ type: 'archive', status: 'start', schema: schema.name, location, bytes: 0, elapsedMs: 0 });
    const exists = await onDatabase(options.database, async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema.name])).rowCount === 1);
    try {
      await loadSchemaArchive(stored.archive, schema.name, exists, options);
    } catch (err) {
      // A damaged archive often makes pg_restore fail first: say that it is damaged, not what pg_restore saw.
      await stored.verify();
      throw err;
    }
    await stored.verify();
    options.emit({ type: 'archive', status: 'done', schema: schema.name, location, bytes: schema.bytes, elapsedMs: Date.now() - started });
  }
}
