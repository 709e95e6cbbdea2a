import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { cancelOnAbort } from './cancel-on-abort';
import { warnAboutLeftovers } from './cleanup/leftover-warning';
import { stagingMarker, stagingMarkerText } from './cleanup/staging-marker';
import { connect, DatabaseConnection, libpqEnv } from './connection';
import { openSourceSnapshot, SourceSnapshot } from './connection/source-snapshot';
import { connectionLost } from './connection-errors';
import { largeObjectRecord } from './copy/large-object-record';
import { impliedSchemas } from './ddl/chosen-tables';
import { loadSqlParser } from './ddl/sql-tokens';
import { AbortedError, SchemaRestoreError } from './errors';
import { ProgressListener, safeListener } from './progress';
import { RestoreReport } from './report';
import { addOutsideKeys } from './restore/add-outside-keys';
import { buildPostData, schedulePostData } from './restore/build-post-data';
import { checkBackupManifest } from './restore/check-backup-manifest';
import { copyData } from './restore/copy-data';
import { createStaging } from './restore/create-staging';
import { dropStaging } from './restore/drop-staging';
import { extractDefinitions } from './restore/extract-definitions';
import { planSchemas } from './restore/plan-schemas';
import { publishSchemas } from './restore/publish-schemas';
import { refreshViews } from './restore/refresh-views';
import { restoreReport } from './restore/restore-report';
import { phaseRunner, RestoreRun, SchemaPlan } from './restore/restore-run';
import { setSequences } from './restore/set-sequences';
import { validateData } from './restore/validate-data';
import { checkRestoreOptions } from './restore-names';
import { RestoreSchemaOptions } from './restore-options';
import { isRestoreSource, TemporaryDatabase } from './sources/restore-source';
import { restoreTemporary } from './sources/restore-temporary';

/**
 * Restore schemas side by side: each schema `S` of the source becomes `S` + suffix in the target,
 * an exact copy (definitions, data, sequence positions, materialized views, comments, grants,
 * owners) that refers only to itself. Everything is built under a staging name and published in
 * one transaction, so the final name never holds a partial restore; on failure or abort all that
 * was created is dropped. Nothing else in the target is written.
 *
 * The source is a database holding the past, or a backup that is brought up temporarily (see
 * {@link restoreTemporary}) and removed again when the restore ends, whatever the outcome.
 *
 * @example
 * const report = await restoreSchema({
 *   source: { kind: 'pitr', baseBackup: '/backups/base', walArchive: '/backups/wal', targetTime: new Date('2024-01-28T14:30:00Z') },
 *   target: 'postgres://postgres@127.0.0.1:5432/tenant_a', // live
 *   schemas: ['customer_a1'],
 *   onProgress: (e) => console.log(e),
 * });
 * console.log(report.schemas[0].restored); // customer_a1_20240128143000
 */
export async function restoreSchema(requested: RestoreSchemaOptions): Promise<RestoreReport> {
  const started = Date.now();
  const options = { ...requested, schemas: impliedSchemas(requested) };
  checkRestoreOptions(options);
  const emit: ProgressListener = safeListener(options.onProgress);
  await warnAboutLeftovers({ target: options.target, tempDir: options.tempDir, emit });
  const source = options.source;
  if (!isRestoreSource(source)) return restoreFromDatabase({ ...options, source }, { emit, started });
  // Fail fast on an unreachable target before spending minutes on a temporary source.
  await (await connect(options.target, 'target')).end();
  // One id names the staging schemas and tags the cloud resources of the same restore.
  const restoreId = options.restoreId ?? options.ledger?.restoreId ?? randomBytes(8).toString('hex');
  const past = await restoreTemporary(source, {
    restoreId,
    ledger: options.ledger,
    tls: options.tls,
    schemas: options.schemas,
    tables: options.tables,
    database: options.sourceDatabase ?? libpqEnv(options.target).PGDATABASE,
    clients: options.clients,
    s3Endpoint: options.s3Endpoint,
    baseDir: options.tempDir,
    onProgress: emit,
    signal: options.signal,
  });
  try {
    return await restoreFromDatabase({ ...options, restoreId, source: past.connection }, { emit, started, past });
  } finally {
    if (past.kind !== 'connection') emit({ type: 'phase', phase: 'cleanup', status: 'start', message: `removing the temporary ${past.description}` });
    await past.cleanup();
    if (past.kind !== 'connection') emit({ type: 'phase', phase: 'cleanup', status: 'done', message: 'the temporary source is gone' });
  }
}

interface RestoreContext {
  readonly emit: ProgressListener;
  readonly started: number;
  /** The temporary source the data is read from, when there is one. */
  readonly past?: TemporaryDatabase;
}

/** Open the DDL session on the target and the snapshot session on the source (both, or neither). */
async function openSessions(options: RestoreSchemaOptions & { source: DatabaseConnection }): Promise<{ target: Client; snapshot: SourceSnapshot }> {
  const target = await connect(options.target, 'target', 'pg-schema-restore ddl');
  try {
    return { target, snapshot: await openSourceSnapshot(options.source) };
  } catch (err) {
    await target.end().catch(() => undefined);
    throw err;
  }
}

/** The steps of a restore, in order, each in a file of src/restore/ named for it; a failure or abort drops what was made. */
async function restoreFromDatabase(options: RestoreSchemaOptions & { source: DatabaseConnection }, context: RestoreContext): Promise<RestoreReport> {
  const { emit, started, past } = context;
  const restoreId = options.restoreId ?? randomBytes(8).toString('hex');
  const signal = options.signal;
  const step = phaseRunner(emit, signal);
  await loadSqlParser();
  const { target, snapshot } = await step('connect', 'connecting to the source and the target', () => openSessions(options));
  const run: RestoreRun = {
    options,
    restoreId,
    emit,
    signal,
    step,
    target,
    snapshot,
    past,
    made: {
      staging: false,
      keys: [],
      largeObjects: options.noLargeObjects ? undefined : largeObjectRecord(`pgsr_${restoreId.slice(0, 12)}`, stagingMarkerText(stagingMarker(restoreId))),
    },
    warnings: [...past?.warnings ?? []],
  };
  // Ctrl-C cancels whatever the DDL and snapshot sessions are running, also a wait for a lock.
  const stopCancel = cancelOnAbort(signal, [{ client: target, connection: options.target }, { client: snapshot.client, connection: options.source }]);
  let plans: SchemaPlan[] = [];
  try {
    const restorePoint = past?.restorePoint ?? snapshot.takenAt;
    const asOf = past?.restorePoint ? `the ${past.description}, as of ${restorePoint.toISOString()}` : `the source as of ${restorePoint.toISOString()}`;
    emit({ type: 'phase', phase: 'snapshot', status: 'done', message: `reading ${asOf} (one snapshot for DDL and data)` });
    plans = await planSchemas(run, restorePoint);
    const definitions = await extractDefinitions(run, plans);
    await createStaging(run, plans, definitions);
    const builds = schedulePostData(run, definitions);
    const copied = await copyData(run, plans, builds);
    await buildPostData(run, builds);
    const sequences = await setSequences(run, plans);
    await refreshViews(run, plans);
    const validation = await validateData(run, plans, copied);
    await checkBackupManifest(run, plans, validation);
    await addOutsideKeys(run, plans, definitions);
    await publishSchemas(run, plans, definitions);
    return restoreReport(run, plans, { restorePoint, started, copied, sequences, validation });
  } catch (caught) {
    // A session the server ended shows up as a bare "connection error": name which one, and why.
    const err = connectionLost(caught) ?? caught;
    if (run.made.staging) {
      emit({ type: 'phase', phase: 'cleanup', status: 'start', message: 'removing what this restore created' });
      const leftover = await dropStaging(run, plans);
      if (leftover) throw new SchemaRestoreError('CLEANUP_FAILED', `${(err as Error).message}; in addition, ${leftover}`, { cause: err });
      emit({ type: 'phase', phase: 'cleanup', status: 'done', message: 'the target is as it was' });
    }
    if (signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    stopCancel();
    await snapshot.close();
    await target.end().catch(() => undefined);
  }
}
