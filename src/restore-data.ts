import { Client } from 'pg';
import { DatabaseConnection } from './connection';
import type { DmsEngineOptions } from './copy/dms/dms-engine-options';
import { LargeObjectRecord, recordTable } from './copy/large-object-record';
import { listMaterializedViews } from './copy/list-tables';
import { migrateSchemas } from './copy/migrate-schemas';
import { refreshMaterializedViews } from './copy/refresh-materialized-views';
import { restoreLargeObjects } from './copy/restore-large-objects';
import { SchemaMapping } from './copy/schema-mapping';
import { copySequencePositions } from './copy/sequence-positions';
import { applyDdl } from './ddl/apply-ddl';
import { DdlStatement } from './ddl/split-ddl';
import { ProgressListener, RestorePhase } from './progress';
import { LargeObjectsReport, SequenceReport, TableReport } from './report';
import { SourceSnapshot } from './sources/source-snapshot';
import { RelationValidation, validateRestore } from './validate/validate-restore';

/** Runs one step of the restore between phase start/done events (and checks for abort first). */
export type PhaseRunner = <T>(phase: RestorePhase, message: string, fn: () => Promise<T>, done?: (result: T) => string) => Promise<T>;

export interface RestoreDataOptions {
  readonly source: DatabaseConnection;
  readonly target: DatabaseConnection;
  /** Connection to the target used for DDL. */
  readonly targetClient: Client;
  readonly snapshot: SourceSnapshot;
  /** Source schemas, and the staging schemas (in the target) that already hold their pre-data definitions. */
  readonly schemas: readonly string[];
  readonly staging: readonly string[];
  /** Post-data statements (indexes, keys, triggers, RLS), renamed to the staging schemas. */
  readonly postData: DdlStatement[];
  readonly jobs: number;
  /** How rows move. @default 'copy' */
  readonly engine?: 'copy' | 'dms';
  readonly dms?: DmsEngineOptions;
  readonly validate: boolean;
  /**
   * Where new large objects are written down; `undefined` leaves large objects out (`noLargeObjects`):
   * rows keep the source's OIDs and a warning names those columns.
   */
  readonly largeObjects: LargeObjectRecord | undefined;
  readonly skipOwnership?: boolean;
  readonly skipPrivileges?: boolean;
  readonly phase: PhaseRunner;
  readonly emit: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface RestoreDataResult {
  /** Per schema, in the order of `schemas`. */
  readonly tables: TableReport[][];
  readonly sequences: SequenceReport[][];
  /** Large objects copied; undefined when there were none to copy. */
  readonly largeObjects?: LargeObjectsReport;
  /** Tables whose data differs from the source (empty when all agree). */
  readonly mismatches: string[];
  readonly warnings: string[];
}

function describeMismatch(v: RelationValidation): string {
  if (v.sourceRows === undefined || v.restoredRows === undefined) return `${v.schema}.${v.name}: missing on one side`;
  if (!v.rowsMatch) return `${v.schema}.${v.name}: ${v.sourceRows} rows at the source, ${v.restoredRows} restored`;
  return `${v.schema}.${v.name}: same ${v.sourceRows} rows but different content`;
}

/**
 * Everything between the pre-data DDL and publishing: copy the rows, build indexes, keys and
 * triggers, set sequence positions, refresh materialized views, and compare with the source — all
 * in the staging schemas, all from the one source snapshot.
 */
export async function restoreData(o: RestoreDataOptions): Promise<RestoreDataResult> {
  const mappings: SchemaMapping[] = o.schemas.map((s, i) => ({ source: s, target: o.staging[i] }));
  const how = o.engine === 'dms' ? 'AWS DMS full load' : 'streaming COPY';
  const copied = await o.phase('copy', `copying table data with ${o.jobs} worker${o.jobs > 1 ? 's' : ''} (${how})`,
    () => migrateSchemas({
      source: o.source,
      target: o.target,
      schemas: mappings,
      snapshotId: o.snapshot.id,
      jobs: o.jobs,
      engine: o.engine,
      dms: o.dms,
      onProgress: o.emit,
      signal: o.signal,
    }),
    (r) => `${r.length} tables, ${r.reduce((n, t) => n + t.rows, 0)} rows copied`);
  // Before post-data: its triggers (the lo extension's lo_manage) must not see the rows repointed.
  const largeObjects = await restoreLargeObjects({ ...o, source: o.snapshot.client, target: o.targetClient, schemas: mappings });
  const comparedByContent = o.largeObjects && { columns: largeObjects.columns, record: recordTable(o.largeObjects) };
  await o.phase('post-data', 'building indexes, keys, triggers and row-level security', () => applyDdl(o.targetClient, o.postData));
  const sequences = await o.phase('sequences', 'setting sequence positions',
    () => copySequencePositions({ source: o.snapshot.client, target: o.targetClient, schemas: mappings }), (r) => `${r.length} sequences set`);
  const populated = (await Promise.all(o.schemas.map((s) => listMaterializedViews(o.snapshot.client, s)))).flat().filter((m) => m.populated);
  await o.phase('materialized-views', `refreshing ${populated.length} materialized view${populated.length === 1 ? '' : 's'}`,
    () => refreshMaterializedViews({ target: o.targetClient, schemas: mappings, populated, onProgress: o.emit, signal: o.signal }));
  const validation = o.validate
    ? await o.phase('validate', 'comparing row counts and content checksums with the source',
      () => validateRestore({ source: o.source, target: o.target, schemas: mappings, snapshotId: o.snapshot.id, largeObjects: comparedByContent, signal: o.signal }),
      (r) => `${r.tables.length} tables and materialized views compared, ${r.mismatches.length} differences`)
    : undefined;
  const warnings: string[] = [...largeObjects.warnings];
  const mismatches: string[] = [];
  for (const v of validation?.tables ?? []) {
    if (v.rowsMatch && v.checksumMatch) continue;
    if (v.kind === 'table') mismatches.push(describeMismatch(v));
    else warnings.push(`materialized view ${v.schema}.${v.name} differs from the source's copy, which was stale there; it was refreshed from the restored data`);
  }
  for (const s of validation?.sequences ?? []) {
    if (!s.match) warnings.push(`sequence ${s.schema}.${s.name} moved at the source during the restore; it was set to its position at copy time`);
  }
  const tables = o.schemas.map((schema) => {
    const rows: TableReport[] = copied.filter((t) => t.schema === schema).map((t) => {
      const v = validation?.tables.find((x) => x.schema === schema && x.name === t.table);
      return { name: t.table, kind: 'table', rows: t.rows, bytes: t.bytes, sourceRows: v?.sourceRows, checksumMatch: v ? v.rowsMatch && v.checksumMatch : undefined, durationMs: t.durationMs };
    });
    for (const v of validation?.tables.filter((x) => x.schema === schema && x.kind === 'materialized view') ?? []) {
      rows.push({ name: v.name, kind: 'materialized view', rows: v.restoredRows ?? 0, bytes: 0, sourceRows: v.sourceRows, checksumMatch: v.rowsMatch && v.checksumMatch, durationMs: 0 });
    }
    return rows;
  });
  return {
    tables,
    sequences: o.schemas.map((schema) => sequences.filter((s) => s.schema === schema)
      .map((s) => ({ name: s.name, lastValue: s.lastValue, isCalled: s.isCalled }))),
    ...(largeObjects.copied ? { largeObjects: largeObjects.copied } : {}),
    mismatches,
    warnings,
  };
}
