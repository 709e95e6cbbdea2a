import type { ClientBase } from 'pg';
import { archiveName, runName } from './backup-layout';
import { BackupManifest, isBackupName, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, ManifestSchema, manifestText } from './backup-manifest';
import { BackupStore, OpenBackupStoreOptions, openBackupStore } from './backup-store';
import { DumpedArchive, dumpSchemaArchive } from './dump-schema-archive';
import { bothOrFirstFailure, inParallel } from './in-parallel';
import { largeObjectWarnings } from './large-object-warnings';
import { schemaDependencies, SchemaDependencies } from './schema-dependencies';
import { fingerprintSchema } from './schema-fingerprint';
import { backupLockError, DEFAULT_LOCK_WAIT_TIMEOUT_MS, isPgDumpLockWait, lockBackupSchema } from './schema-locks';
import { cancelOnAbort } from '../cancel-on-abort';
import { DatabaseConnection } from '../connection';
import { connectInSnapshot, openSourceSnapshot, SourceSnapshot } from '../connection/source-snapshot';
import { retryLockWaits } from '../ddl/lock-retry';
import { effectiveLockTimeout } from '../ddl/target-session';
import { AbortedError, InvalidInputError, SchemaNotFoundError } from '../errors';
import { findPostgresBinaries, PostgresBinaries } from '../local/postgres-binaries';
import { ProgressListener, safeListener } from '../progress';
import type { Abortable } from '../run-options';
import { toolVersion } from '../tool-version';

/** Options of {@link backupDatabase}. */
export interface BackupDatabaseOptions extends Abortable {
  /** The database to back up (`postgres://…` or a `pg` configuration). */
  readonly source: DatabaseConnection;
  /** Where: `s3://bucket/prefix/` or a local directory. The run goes to `<to><database>/<UTC time>/`. */
  readonly to: string;
  /** Schemas to back up (exact names). @default - every schema but the system's (pg_*, information_schema) */
  readonly schemas?: readonly string[];
  /** Schemas dumped at once, each by its own pg_dump and checksummed on its own session. @default 2 */
  readonly jobs?: number;
  /** S3 access and SSE-KMS key (S3 only). */
  readonly s3?: OpenBackupStoreOptions;
  /**
   * The longest pg_dump and the checksum session wait for one table's lock, in ms; each wait is
   * retried a few times with pauses, then the backup fails with `LOCK_TIMEOUT` naming the table and
   * the session holding it. The database's or role's own `lock_timeout` wins when shorter.
   * @default 2000
   */
  readonly lockWaitTimeoutMs?: number;
  /** Pauses between lock attempts, in ms. @default [250, 500, 1000, 2000] */
  readonly lockRetryPausesMs?: readonly number[];
  /** pg_dump to use. @default - the newest installed that is at least the server's major version */
  readonly binaries?: PostgresBinaries;
  readonly onProgress?: ProgressListener;
}

/** What {@link backupDatabase} wrote. */
export interface BackupResult {
  /** The run's location: `s3://bucket/prefix/app/2026-11-27T190212Z/`. */
  readonly location: string;
  readonly manifest: BackupManifest;
  /** What the backup could not keep (large objects), one sentence each; also sent as `warn` progress events. */
  readonly warnings: string[];
}

/** Schemas a default backup takes: all but the system's and pg-schema-restore's own staging schemas. */
const TENANT_SCHEMAS = `SELECT nspname AS name FROM pg_namespace
  WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' AND nspname !~ '^pgsr_[0-9a-f]+_' ORDER BY 1`;


/** The schemas to back up, and a warning per schema left out because a manifest cannot hold its name (see `isBackupName`). */
type ChosenSchemas = { schemas: string[]; skipped: string[] };
async function chooseSchemas(client: ClientBase, wanted: readonly string[] | undefined, database: string): Promise<ChosenSchemas> {
  const present = (await client.query<{ name: string }>(TENANT_SCHEMAS)).rows.map((r) => r.name);
  const unfit = (name: string): string => `schema ${JSON.stringify(name)} is not backed up: its name has a control character or more than 63 bytes, which no backup manifest accepts; rename it`;
  if (!wanted) return { schemas: present.filter(isBackupName), skipped: present.filter((name) => !isBackupName(name)).map(unfit) };
  if (wanted.length === 0) throw new InvalidInputError('no schema to back up: pass --schema, or none for every schema');
  const bad = wanted.find((name) => !isBackupName(name));
  if (bad !== undefined) throw new InvalidInputError(unfit(bad));
  const all = new Set((await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace')).rows.map((r) => r.name));
  const missing = wanted.find((s) => !all.has(s));
  if (missing !== undefined) throw new SchemaNotFoundError(missing, `database ${database}`);
  return { schemas: [...new Set(wanted)], skipped: [] };
}

/** A run directory no other run uses: the snapshot's second, then `-2`, `-3`, … */
async function freshRunPath(store: BackupStore, database: string, at: Date): Promise<string> {
  for (let repeat = 1; ; repeat++) {
    const path = `${database}/${runName(at, repeat)}/`;
    const taken = await store.list(path)[Symbol.asyncIterator]().next();
    if (taken.done) return path;
  }
}

/** Back up one schema: its archive and, on a session in the same snapshot, its fingerprint; every lock wait bounded and retried. */
async function backupSchema(options: BackupDatabaseOptions & { lockWaitTimeoutMs: number }, snapshot: SourceSnapshot, store: BackupStore, run: string,
  schema: string, binaries: PostgresBinaries, dependencies: SchemaDependencies | undefined): Promise<ManifestSchema> {
  const archive = archiveName(schema);
  // Either half failing stops the other: nothing of this schema runs on once it has failed.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const locks = { schema, lockWaitTimeoutMs: options.lockWaitTimeoutMs, pausesMs: options.lockRetryPausesMs, signal };
  const session = await connectInSnapshot(options.source, snapshot.id, 'pg-schema-restore backup checksum');
  const release = cancelOnAbort(signal, [{ client: session, connection: options.source }]);
  const stopOnFailure = <T>(work: Promise<T>): Promise<T> => work.catch((err: unknown) => {
    stop.abort();
    throw err;
  });
  try {
    const dumpOnce = (): Promise<DumpedArchive> =>
      dumpSchemaArchive({ ...options, signal, binaries, snapshotId: snapshot.id, schema, store, key: run + archive });
    const giveUp = (err: unknown, tries: number): Promise<Error> => backupLockError(snapshot.client, locks, tries, err);
    const [dumped, fingerprint] = await bothOrFirstFailure([
      stopOnFailure(retryLockWaits(dumpOnce, { ...locks, isLockWait: isPgDumpLockWait, giveUp })),
      stopOnFailure(lockBackupSchema(session, snapshot.client, locks).then(() => fingerprintSchema(session, schema, signal))),
    ] as const);
    const uses = { dependsOn: dependencies?.dependsOn ?? [], extensions: dependencies?.extensions ?? [] };
    return { name: schema, archive, format: 'custom', bytes: dumped.bytes, sha256: dumped.sha256, ...fingerprint, ...uses };
  } finally {
    release();
    await session.end().catch(() => undefined);
  }
}

/**
 * Back up schemas of a database, each to its own pg_dump custom-format archive, all from one
 * exported snapshot (so the tenants of a run agree with each other), then write the run's
 * `manifest.json`: the snapshot's time, and per schema its archive's size and SHA-256, every
 * table's and materialized view's row count and checksum (those `validateRestore` computes) and
 * sequence positions. The manifest is written last: a run without one is incomplete and no reader
 * uses it. A failure or abort removes what the run wrote.
 *
 * @example
 * const { location, manifest } = await backupDatabase({
 *   source: 'postgres://backup@db.internal/app', to: 's3://backups/nightly/', jobs: 4,
 * });
 * console.log(location, manifest.schemas.length);
 */
export async function backupDatabase(options: BackupDatabaseOptions): Promise<BackupResult> {
  const onProgress = safeListener(options.onProgress);
  const store = openBackupStore(options.to, { ...options.s3, signal: options.signal });
  let run: string | undefined;
  const snapshot = await openSourceSnapshot(options.source);
  try {
    const startedAt = new Date();
    const { rows: [info] } = await snapshot.client.query<{ database: string; version: string; encoding: string; major: string }>(
      `SELECT current_database() AS database, current_setting('server_version') AS version,
              current_setting('server_encoding') AS encoding, current_setting('server_version_num')::int / 10000 AS major`);
    const { schemas, skipped } = await chooseSchemas(snapshot.client, options.schemas, info.database);
    const binaries = options.binaries ?? findPostgresBinaries({ require: ['pg_dump'], minMajor: Number(info.major) });
    const dependencies = await schemaDependencies(snapshot.client);
    const lockWaitTimeoutMs = await effectiveLockTimeout(snapshot.client, options.lockWaitTimeoutMs ?? DEFAULT_LOCK_WAIT_TIMEOUT_MS);
    run = await freshRunPath(store, info.database, snapshot.takenAt);
    onProgress({ type: 'log', level: 'info', message: `backing up ${schemas.length} schema(s) of ${info.database} as of ${snapshot.takenAt.toISOString()} to ${store.describe(run)}` });
    const warnings = [...skipped, ...await largeObjectWarnings(snapshot.client, schemas)];
    for (const message of warnings) onProgress({ type: 'log', level: 'warn', message });
    const done = await inParallel(schemas, options.jobs ?? 2, options.signal,
      (schema, signal) => backupSchema({ ...options, signal, onProgress, lockWaitTimeoutMs }, snapshot, store, run!, schema, binaries,
        dependencies.get(schema)));
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      tool: { name: 'pg-schema-restore', version: toolVersion() },
      database: info.database,
      serverVersion: info.version,
      encoding: info.encoding,
      snapshotAt: snapshot.takenAt.toISOString(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      schemas: done,
    };
    await store.write(run + MANIFEST_FILE, Buffer.from(manifestText(manifest)), options.signal);
    return { location: store.describe(run), manifest, warnings };
  } catch (err) {
    const removed = run === undefined || await removeRun(store, run);
    if (options.signal?.aborted) {
      throw new AbortedError(run === undefined ? 'backup aborted; nothing was written'
        : removed ? `backup aborted; its partial run ${store.describe(run)} was removed`
          : `backup aborted; its partial run ${store.describe(run)} is left without a manifest, so no reader uses it`);
    }
    throw err;
  } finally {
    await snapshot.close();
    store.close();
  }
}

/**
 * Remove every object of a run, and so its directory in a directory store (the manifest's key is
 * always named: archives whose writes were stopped may already be gone). Best effort: what cannot
 * be removed stays without a manifest, which no reader uses. Returns whether all went.
 */
async function removeRun(store: BackupStore, run: string): Promise<boolean> {
  try {
    const keys = new Set([run + MANIFEST_FILE]);
    for await (const object of store.list(run)) keys.add(object.key);
    await store.remove([...keys]);
    return true;
  } catch {
    // Without a manifest the run is incomplete: every reader skips it and prune removes it after a day.
    return false;
  }
}
