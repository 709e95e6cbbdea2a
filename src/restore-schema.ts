import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect, DatabaseConnection, libpqEnv } from './connection';
import { connectionLost } from './connection-errors';
import { completeDmsOptions } from './copy/dms/dms-engine-options';
import { addOutsideForeignKeys, AddedForeignKey, dropOutsideForeignKeys } from './ddl/add-outside-foreign-keys';
import { applyDdl } from './ddl/apply-ddl';
import { asCreateOrReplace } from './ddl/create-or-replace';
import { detachFromOutside } from './ddl/detach-from-outside';
import { extensionsInPlace } from './ddl/extension-objects';
import { extractDdl } from './ddl/extract-ddl';
import { withLockRetry } from './ddl/lock-retry';
import { describeOutsideEffect } from './ddl/outside-effects';
import { DdlStatement, splitDdl, SplitDdlResult } from './ddl/split-ddl';
import { loadSqlParser } from './ddl/sql-tokens';
import { configureTargetSession, DEFAULT_LOCK_TIMEOUT_MS } from './ddl/target-session';
import { AbortedError, InvalidInputError, MissingRolesError, SchemaExistsError, SchemaNotFoundError, SchemaRestoreError, ValidationError } from './errors';
import { preflight } from './preflight';
import { ProgressListener, RestorePhase, safeListener } from './progress';
import { quoteIdent } from './quote';
import { RestoreReport, SchemaReport } from './report';
import { restoreData } from './restore-data';
import { checkRestoreOptions, existingSchemas, restoredNames, timestampSuffix } from './restore-names';
import { RestoreSchemaOptions } from './restore-options';
import { isRestoreSource, TemporaryDatabase } from './sources/restore-source';
import { restoreTemporary } from './sources/restore-temporary';
import { openSourceSnapshot } from './sources/source-snapshot';

async function checkRoles(target: Client, split: SplitDdlResult): Promise<void> {
  if (split.roles.length === 0) return;
  const { rows } = await target.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [split.roles]);
  const present = new Set(rows.map((r) => r.rolname));
  const missing = split.roles.filter((r) => !present.has(r));
  if (missing.length > 0) throw new MissingRolesError(missing);
}

const isStructural = (s: DdlStatement) => s.kind !== 'ownership' && s.kind !== 'privilege';

/**
 * Statements that would reach outside the restored schemas are refused with one line, unless
 * `detachOutside` is set: then the DDL is rewritten without them (see {@link detachFromOutside}).
 */
async function withoutOutsideEffects(
  ddl: string, split: SplitDdlResult, o: { detachOutside?: boolean; source: Client },
): Promise<{ ddl: string; warnings: string[] }> {
  const outside = [...split.preData, ...split.postData].filter((s) => s.outside);
  if (outside.length === 0) return { ddl, warnings: [] };
  if (!o.detachOutside) {
    const more = outside.length > 1 ? ` (${outside.length - 1} more statement${outside.length > 2 ? 's' : ''} reach outside too)` : '';
    throw new InvalidInputError(`${describeOutsideEffect(outside[0].outside!)}${more}; nothing was written. ` +
      'Pass --detach-outside (detachOutside: true) to restore without attaching to or altering anything outside: inheriting tables and partitions become standalone tables with the same columns', { code: 'OUTSIDE_OBJECT' });
  }
  return detachFromOutside(ddl, outside, o.source);
}

/**
 * The statements that make a fully built staging schema the restored schema, atomically: rename
 * it, redefine routines whose bodies (text) must name the final schema, then owners and grants.
 */
function publishStatements(staging: string[], restored: string[], final: SplitDdlResult): string[] {
  const settings = final.preData.filter((s) => s.kind === 'setting').map((s) => s.sql);
  const renames = staging.map((s, i) => `ALTER SCHEMA ${quoteIdent(s)} RENAME TO ${quoteIdent(restored[i])}`);
  const routines = final.preData.filter((s) => s.kind === 'routine').map((s) => asCreateOrReplace(s.sql));
  const all = [...final.preData, ...final.postData.filter((s) => s.kind !== 'setting')];
  const owners = all.filter((s) => s.kind === 'ownership').map((s) => s.sql);
  const grants = all.filter((s) => s.kind === 'privilege').map((s) => s.sql);
  return [...settings, ...renames, ...routines, ...owners, ...grants];
}

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
export async function restoreSchema(options: RestoreSchemaOptions): Promise<RestoreReport> {
  const started = Date.now();
  checkRestoreOptions(options);
  const emit: ProgressListener = safeListener(options.onProgress);
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

async function restoreFromDatabase(options: RestoreSchemaOptions & { source: DatabaseConnection }, context: RestoreContext): Promise<RestoreReport> {
  const { emit, started, past } = context;
  const restoreId = options.restoreId ?? randomBytes(8).toString('hex');
  const signal = options.signal;
  const phase = async <T>(name: RestorePhase, message: string, fn: () => Promise<T>, done?: (r: T) => string): Promise<T> => {
    if (signal?.aborted) throw new AbortedError();
    emit({ type: 'phase', phase: name, status: 'start', message });
    const result = await fn();
    emit({ type: 'phase', phase: name, status: 'done', message: done ? done(result) : message });
    return result;
  };
  const warnings: string[] = [...past?.warnings ?? []];
  const schemas = options.schemas;
  await loadSqlParser();

  const { target, snapshot } = await phase('connect', 'connecting to the source and the target', async () => {
    const t = await connect(options.target, 'target', 'pg-schema-restore ddl');
    try {
      return { target: t, snapshot: await openSourceSnapshot(options.source) };
    } catch (err) {
      await t.end().catch(() => undefined);
      throw err;
    }
  });
  const staging = schemas.map((_, i) => `pgsr_${restoreId.slice(0, 12)}_${i}`);
  let created = false;
  let lockTimeoutMs: number | undefined;
  const addedKeys: AddedForeignKey[] = [];
  try {
    const restorePoint = past?.restorePoint ?? snapshot.takenAt;
    const asOf = past?.restorePoint ? `the ${past.description}, as of ${restorePoint.toISOString()}` : `the source as of ${restorePoint.toISOString()}`;
    emit({ type: 'phase', phase: 'snapshot', status: 'done', message: `reading ${asOf} (one snapshot for DDL and data)` });
    const atSource = await existingSchemas(snapshot.client, schemas);
    const absent = schemas.find((s) => !atSource.has(s));
    if (absent !== undefined) throw new SchemaNotFoundError(absent, past?.restorePoint ? `the source as of ${restorePoint.toISOString()}` : 'the source');
    const restored = restoredNames(schemas, options.suffix ?? timestampSuffix(restorePoint));
    const dup = restored.find((s, i) => restored.indexOf(s) !== i);
    if (dup !== undefined) throw new InvalidInputError(`two schemas would both be restored as "${dup}"; choose another suffix`);
    const taken = [...await existingSchemas(target, [...restored, ...staging])];
    if (taken.length > 0) throw new SchemaExistsError(taken[0]);

    const split = await phase('extract-ddl', `reading the definition of ${schemas.join(', ')} with pg_dump`, async () => {
      // Extensions stay where they are: checked before anything is written, their objects referenced, not renamed.
      const extensions = await extensionsInPlace({ source: snapshot.client, target, schemas, restored });
      const extracted = await extractDdl({
        source: options.source,
        schemas,
        snapshotId: snapshot.id,
        noOwner: options.skipOwnership,
        noPrivileges: options.skipPrivileges,
        signal,
      });
      const rename = (names: string[]) => new Map(schemas.map((s, i) => [s, names[i]]));
      const common = { skipOwnership: options.skipOwnership, skipPrivileges: options.skipPrivileges, keep: extensions.keep };
      const staged = await splitDdl(extracted, { rename: rename(staging), ...common });
      const detached = await withoutOutsideEffects(extracted, staged, { detachOutside: options.detachOutside, source: snapshot.client });
      warnings.push(...detached.warnings);
      if (detached.ddl === extracted) return { staged, final: await splitDdl(extracted, { rename: rename(restored), ...common }), extensions };
      return {
        staged: await splitDdl(detached.ddl, { rename: rename(staging), ...common }),
        final: await splitDdl(detached.ddl, { rename: rename(restored), ...common }),
        extensions,
      };
    }, (r) => `${r.staged.preData.length + r.staged.postData.length} statements parsed and renamed`);
    warnings.push(...split.extensions.warnings, ...split.final.warnings);
    await checkRoles(target, split.staged);
    await preflight({ target, ddl: split.final });

    const lockMs = await configureTargetSession(target, { lockTimeoutMs: options.lockTimeoutMs });
    lockTimeoutMs = lockMs;
    await phase('pre-data', 'creating types, tables, functions and views under a staging name', async () => {
      created = true;
      // Views and column types reference live objects: a session holding one ACCESS EXCLUSIVE makes this wait, never for long.
      await withLockRetry(target, () => applyDdl(target, split.staged.preData.filter(isStructural), { transaction: false }),
        { object: 'a live object the definitions reference', anyRelation: true, mode: 'AccessShareLock', action: 'creating the staging schema', lockTimeoutMs: lockMs, signal });
    });
    const insidePostData = split.staged.postData.filter((s) => isStructural(s) && !s.referencesOutside);
    const outsideKeys = split.staged.postData.filter((s) => s.referencesOutside);
    const data = await restoreData({
      source: options.source,
      target: options.target,
      targetClient: target,
      snapshot,
      schemas,
      staging,
      jobs: options.jobs ?? 4,
      engine: options.engine,
      // The DMS resources carry this restore's id and go into its ledger, so cleanup finds them.
      dms: completeDmsOptions(options.dms && { restoreId, ledger: options.ledger, ...options.dms }, {
        sourceSecretArn: past?.secretArn, sourceDatabase: libpqEnv(options.source).PGDATABASE, targetDatabase: libpqEnv(options.target).PGDATABASE,
      }),
      validate: options.validate ?? true,
      postData: insidePostData,
      phase,
      emit,
      signal,
    });
    warnings.push(...data.warnings);
    if (data.mismatches.length > 0) {
      throw new ValidationError(`restored data differs from the source: ${data.mismatches.slice(0, 3).join('; ')}${data.mismatches.length > 3 ? ` (+${data.mismatches.length - 3} more)` : ''}; nothing was published`, data.mismatches);
    }
    if (outsideKeys.length > 0) {
      const settings = split.staged.postData.filter((s) => s.kind === 'setting');
      await applyDdl(target, settings, { transaction: false });
      const keys = await phase('outside-keys', `adding ${outsideKeys.length} foreign key${outsideKeys.length > 1 ? 's' : ''} to live tables outside the schema, one at a time (lock timeout ${lockMs} ms)`,
        () => addOutsideForeignKeys({ client: target, statements: outsideKeys, lockTimeoutMs: lockMs, signal, onAdded: (k) => addedKeys.push(k) }));
      // The keys were added under the staging names; the user will know the tables by their restored names.
      warnings.push(...keys.warnings.map((w) => staging.reduce((t, name, i) => t.split(quoteIdent(name)).join(quoteIdent(restored[i])), w)));
    }
    await phase('publish', `publishing as ${restored.join(', ')} in one transaction`, async () => {
      await withLockRetry(target, () => applyDdl(target, publishStatements(staging, restored, split.final), { transaction: false }),
        { object: 'a live object the definitions reference', anyRelation: true, mode: 'AccessShareLock', action: 'publishing', lockTimeoutMs: lockMs, signal });
      created = false;
    });
    const report: SchemaReport[] = schemas.map((s, i) => ({
      source: s, restored: restored[i], tables: data.tables[i], sequences: data.sequences[i],
    }));
    return { restoreId, restorePoint: restorePoint.toISOString(), schemas: report, warnings, durationMs: Date.now() - started };
  } catch (caught) {
    const err = connectionLost(caught) ?? caught;
    if (created) {
      emit({ type: 'phase', phase: 'cleanup', status: 'start', message: 'removing what this restore created' });
      const leftover = await dropSchemas(options.target, target, staging, { keys: addedKeys, lockTimeoutMs });
      if (leftover) throw new SchemaRestoreError('CLEANUP_FAILED', `${(err as Error).message}; in addition, ${leftover}`, { cause: err });
      emit({ type: 'phase', phase: 'cleanup', status: 'done', message: 'the target is as it was' });
    }
    if (signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    await snapshot.close();
    await target.end().catch(() => undefined);
  }
}

/**
 * Drop the staging schemas; on a fresh connection when the restore's own one is broken. Foreign keys
 * to live tables go first, one at a time under the lock timeout (dropping one locks the live table).
 * Returns a sentence naming what could not be dropped, or undefined when all is gone.
 */
async function dropSchemas(
  conn: DatabaseConnection, client: Client, names: string[], fks: { keys: AddedForeignKey[]; lockTimeoutMs?: number },
): Promise<string | undefined> {
  const sql = names.map((n) => `DROP SCHEMA IF EXISTS ${quoteIdent(n)} CASCADE`).join('; ');
  const drop = async (c: Client) => {
    if (fks.keys.length > 0) await dropOutsideForeignKeys(c, fks.keys, fks.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    await c.query(sql);
  };
  try {
    await client.query('ROLLBACK').catch(() => undefined);
    await drop(client);
    return undefined;
  } catch {
    try {
      const fresh = await connect(conn, 'target');
      try {
        await configureTargetSession(fresh, { lockTimeoutMs: fks.lockTimeoutMs });
        await drop(fresh);
        return undefined;
      } finally {
        await fresh.end();
      }
    } catch (err) {
      return `the staging schema(s) ${names.map((n) => `"${n}"`).join(', ')} could not be dropped (${(err as Error).message}); drop them by hand`;
    }
  }
}
