import { randomBytes } from 'node:crypto';
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { DeleteDmsResourceOptions, deleteDmsResource, DMS_RESOURCE_KINDS, DmsResourceKind } from './dms-deleters';
import { createDmsEndpoint, DmsEndpointSpec, testDmsEndpoint } from './dms-endpoints';
import { DmsEngineOptions } from './dms-engine-options';
import { createReplicationInstance, waitForReplicationInstanceAvailable } from './dms-replication-instance';
import { surveyDmsSource, DmsSchemaPlan } from './dms-source-plan';
import { fullLoadResult, readTableStatistics } from './dms-statistics';
import { dmsTableMappings } from './dms-table-mappings';
import { createFullLoadTask, runFullLoadTask, waitForReplicationTaskReady } from './dms-task';
import { dmsTaskSettings } from './dms-task-settings';
import { dmsClientOf } from '../../aws/clients';
import { WaitForDmsOptions } from '../../aws/dms-waiters';
import { restoreTags, temporaryIdentifier } from '../../aws/tags';
import { AbortedError, CleanupError, InvalidInputError } from '../../errors';
import { ProgressListener, safeListener, TableEvent } from '../../progress';
import { SourceTable } from '../list-tables';
import type { CopiedTable } from '../migrate-schemas';
import { checkSchemaMappings, SchemaMapping } from '../schema-mapping';
import { ClientOrConnection } from '../use-connection';

/** Options of {@link migrateWithDms}. */
export interface MigrateWithDmsOptions extends DmsEngineOptions {
  /** The source, for the catalog and the LOB survey (DMS itself logs in with `sourceSecretArn`). */
  readonly source: ClientOrConnection;
  readonly schemas: readonly SchemaMapping[];
  /** Read the catalog inside this exported snapshot. @default - a plain session */
  readonly snapshotId?: string;
  /** Tables each task loads in parallel (`MaxFullLoadSubTasks`). @default 4 */
  readonly jobs?: number;
  readonly onProgress?: ProgressListener;
  /** Abort: the created DMS resources are deleted, then the call rejects with {@link AbortedError}. */
  readonly signal?: AbortSignal;
}

/**
 * Reject options that cannot work, before anything is created.
 *
 * @example
 * checkDmsEngineOptions(options.dms);
 */
export function checkDmsEngineOptions(options: DmsEngineOptions | undefined): asserts options is DmsEngineOptions {
  if (!options) throw new InvalidInputError('engine "dms" needs dms options: the source and target secrets, the secrets access role and the databases');
  const required = ['sourceSecretArn', 'targetSecretArn', 'secretsAccessRoleArn', 'sourceDatabase', 'targetDatabase'] as const;
  const missing = required.filter((k) => !options[k]);
  if (missing.length > 0) {
    const fromRds = missing.includes('sourceSecretArn') ? ' (sourceSecretArn comes by itself with an rds: source that has a secretId)' : '';
    throw new InvalidInputError(`the DMS engine needs ${missing.map((k) => `dms.${k}`).join(', ')}; pass ${missing.length > 1 ? 'them' : 'it'}${fromRds}`);
  }
  if (!options.replicationInstanceArn && !options.replicationSubnetGroupId) {
    throw new InvalidInputError('the DMS engine needs dms.replicationSubnetGroupId to create a replication instance, or dms.replicationInstanceArn to use an existing one');
  }
  if (options.sslMode === 'verify-full' && !options.certificateArn) {
    throw new InvalidInputError('dms.sslMode "verify-full" needs dms.certificateArn (the RDS CA bundle imported into DMS); import it or use sslMode "require"');
  }
}

/**
 * Load the tables of the given schemas into the staging schemas of the target with AWS DMS: one
 * full-load task per schema (selection of the schema, renamed to its staging schema, into the
 * tables the pre-data DDL created), on a replication instance given or created for the load, with
 * endpoints that read their logins from Secrets Manager and are tested first. Every resource it
 * creates is recorded in the ledger as soon as it exists and deleted at the end — on success
 * (unless `keepResources`), on failure and on abort.
 *
 * DMS reads the source as it is, not as of the restore's snapshot: use it only on a source that
 * does not change (a temporary RDS restore).
 *
 * @example
 * const copied = await migrateWithDms({
 *   source: pastUrl, schemas: [{ source: 'customer_a1', target: 'pgsr_3f2a_0' }],
 *   replicationSubnetGroupId: 'db-subnets', vpcSecurityGroupIds: ['sg-0abc'],
 *   sourceSecretArn, targetSecretArn, secretsAccessRoleArn, sourceDatabase: 'tenant_a', targetDatabase: 'tenant_a',
 *   ledger, onProgress: (e) => console.log(e),
 * });
 */
export async function migrateWithDms(options: MigrateWithDmsOptions): Promise<CopiedTable[]> {
  checkSchemaMappings(options.schemas);
  checkDmsEngineOptions(options);
  const { signal } = options;
  if (signal?.aborted) throw new AbortedError('data load aborted');
  const emit = safeListener(options.onProgress);
  const plans = await surveyDmsSource({ ...options, onProgress: emit });
  if (plans.every((p) => p.tables.length === 0)) return [];

  const dms = dmsClientOf(options.clients);
  const created: { kind: DmsResourceKind; id: string }[] = [];
  const remember = async (kind: DmsResourceKind, id: string): Promise<string> => {
    created.push({ kind, id }); // deleted at the end even if the ledger cannot take it
    await options.ledger?.record({ kind, id });
    return id;
  };
  let copied: CopiedTable[] = [];
  let failure: unknown;
  try {
    copied = await loadWithDms({ ...options, dms, plans, emit, remember });
  } catch (err) {
    failure = err;
  }
  const leftovers = failure !== undefined || !options.keepResources
    ? await deleteCreated(created, { clients: { dms }, wait: options.wait }, options.ledger, emit)
    : [];
  if (leftovers.length > 0) {
    const list = leftovers.map((l) => `${l.kind} ${l.id} (${l.reason})`).join('; ');
    const before = failure !== undefined ? `${signal?.aborted ? 'data load aborted' : (failure as Error).message}; in addition, ` : '';
    throw new CleanupError(`${before}DMS resources could not be deleted: ${list}; delete them by hand or run cleanup`, leftovers, { cause: failure });
  }
  if (failure !== undefined) throw signal?.aborted ? new AbortedError('data load aborted; the DMS resources it created have been deleted') : failure;
  return copied;
}

interface LoadContext extends MigrateWithDmsOptions {
  readonly dms: DatabaseMigrationServiceClient;
  readonly plans: readonly DmsSchemaPlan[];
  readonly emit: ProgressListener;
  readonly remember: (kind: DmsResourceKind, id: string) => Promise<string>;
}

async function loadWithDms(o: LoadContext): Promise<CopiedTable[]> {
  const restoreId = o.restoreId ?? randomBytes(8).toString('hex');
  const tags = restoreTags({ restoreId, now: (o.now ?? (() => new Date()))(), ttlHours: o.ttlHours });
  const log = (message: string) => o.emit({ type: 'log', level: 'info', message });
  const waits = (what: string, wait = o.wait): WaitForDmsOptions => ({
    dms: o.dms, wait, signal: o.signal, onStatus: (trail) => log(`DMS ${what}: ${trail.join(' → ')}`),
  });

  let instanceArn = o.replicationInstanceArn;
  if (!instanceArn) {
    const identifier = temporaryIdentifier(restoreId);
    log(`creating DMS replication instance ${identifier} (${o.replicationInstanceClass ?? 'dms.t3.medium'})`);
    instanceArn = await o.remember('dms-replication-instance', await createReplicationInstance({
      dms: o.dms,
      identifier,
      instanceClass: o.replicationInstanceClass,
      subnetGroupId: o.replicationSubnetGroupId!,
      securityGroupIds: o.vpcSecurityGroupIds,
      allocatedStorage: o.allocatedStorage,
      tags,
      signal: o.signal,
    }));
  }
  const endpoint = (role: 'source' | 'target'): DmsEndpointSpec => ({
    role,
    identifier: temporaryIdentifier(restoreId, role),
    secretArn: role === 'source' ? o.sourceSecretArn : o.targetSecretArn,
    accessRoleArn: o.secretsAccessRoleArn,
    databaseName: role === 'source' ? o.sourceDatabase : o.targetDatabase,
    sslMode: o.sslMode ?? 'require',
    certificateArn: o.certificateArn,
    tags,
  });
  // Endpoints are created while the instance is still being created; testing them needs it available.
  const specs = [endpoint('source'), endpoint('target')];
  const [sourceArn, targetArn] = [
    await o.remember('dms-endpoint', await createDmsEndpoint(o.dms, specs[0], o.signal)),
    await o.remember('dms-endpoint', await createDmsEndpoint(o.dms, specs[1], o.signal)),
  ];
  await waitForReplicationInstanceAvailable(instanceArn, waits('replication instance'));
  for (const [spec, endpointArn] of [[specs[0], sourceArn], [specs[1], targetArn]] as const) {
    await testDmsEndpoint({ ...waits(`${spec.role} endpoint connection test`), instanceArn, endpointArn, spec });
  }

  const copied: CopiedTable[] = [];
  for (const [i, plan] of o.plans.entries()) {
    if (plan.tables.length === 0) continue;
    const identifier = temporaryIdentifier(restoreId, String(i));
    const taskArn = await o.remember('dms-task', await createFullLoadTask({
      dms: o.dms,
      identifier,
      instanceArn,
      sourceEndpointArn: sourceArn,
      targetEndpointArn: targetArn,
      tags,
      signal: o.signal,
      tableMappings: dmsTableMappings({ ...plan.mapping, generatedColumns: plan.generatedColumns, excludedTables: plan.partitionedTables }),
      settings: dmsTaskSettings({ lob: plan.lob, maxFullLoadSubTasks: o.jobs ?? 4, logging: o.logging }),
    }));
    await waitForReplicationTaskReady(taskArn, waits(`task ${identifier}`));
    log(`DMS task ${identifier}: full load of ${plan.tables.length} tables of "${plan.mapping.source}" into "${plan.mapping.target}"`);
    const tableEvent = (t: SourceTable, status: 'start' | 'done', rows: number, elapsedMs: number): TableEvent => (
      { type: 'table', status, schema: t.schema, table: t.name, rows, bytes: 0, elapsedMs, estimatedRows: t.estimatedRows, estimatedBytes: t.estimatedBytes });
    for (const t of plan.tables) o.emit(tableEvent(t, 'start', 0, 0));
    const task = await runFullLoadTask(taskArn, waits(`task ${identifier}`, { ...o.wait, maxWaitSeconds: o.loadMaxWaitSeconds ?? 86_400 }));
    const statistics = await readTableStatistics(o.dms, taskArn, o.signal);
    const loaded = fullLoadResult({ task, statistics, mapping: plan.mapping, tables: plan.tables.map((t) => t.name) });
    for (const [j, t] of plan.tables.entries()) {
      const { rows, durationMs } = loaded[j];
      o.emit(tableEvent(t, 'done', rows, durationMs));
      copied.push({ schema: t.schema, table: t.name, rows, bytes: 0, durationMs, persistence: t.persistence });
    }
  }
  return copied;
}

/** Delete what the engine created — tasks, then endpoints, then the instance — and return what could not be. */
async function deleteCreated(created: readonly { kind: DmsResourceKind; id: string }[], options: DeleteDmsResourceOptions,
  ledger: DmsEngineOptions['ledger'], emit: ProgressListener): Promise<{ kind: DmsResourceKind; id: string; reason: string }[]> {
  const leftovers: { kind: DmsResourceKind; id: string; reason: string }[] = [];
  for (const kind of DMS_RESOURCE_KINDS) {
    await Promise.all(created.filter((c) => c.kind === kind).map(async ({ id }) => {
      try {
        await deleteDmsResource(kind, id, options);
        await ledger?.remove?.(kind, id)?.catch(() => undefined); // a stale entry is found gone by a later cleanup
        emit({ type: 'log', level: 'info', message: `deleted ${kind} ${id}` });
      } catch (err) {
        leftovers.push({ kind, id, reason: (err as Error).message });
      }
    }));
  }
  return leftovers;
}
