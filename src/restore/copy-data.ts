import type { BuildScheduler } from './build-scheduler';
import { relationKey } from './post-data-plan';
import { RestoreRun, SchemaPlan, stagingMappings } from './restore-run';
import { libpqEnv } from '../connection';
import { connectionLost } from '../connection-errors';
import { completeDmsOptions } from '../copy/dms/dms-engine-options';
import { largeObjectCandidateTables } from '../copy/large-object-columns';
import { CommittedTable, CopiedTable, migrateSchemas } from '../copy/migrate-schemas';
import { restoreLargeObjects, RestoredLargeObjects } from '../copy/restore-large-objects';
import { SchemaRestoreError } from '../errors';
import { checksumRelation, RelationChecksum } from '../validate/checksum-relation';

/** The rows copied, and the large objects the rows refer to. */
export interface CopiedData {
  readonly tables: CopiedTable[];
  readonly largeObjects: RestoredLargeObjects;
  /**
   * The target side of validation, by {@link relationKey} of the staging table: each table
   * checksummed on a build session once it was loaded, complete once the builds have finished.
   */
  readonly restored: ReadonlyMap<string, RelationChecksum>;
}

/**
 * Tables from this size (COPY text) have their target checksum taken beside the builds; smaller ones
 * take milliseconds, and the validate step does them, `jobs` at a time, without thousands of builds
 * to schedule (a schema of 2,000 small tables).
 */
const CHECKSUM_BESIDE_BUILDS_BYTES = 1024 * 1024;

/**
 * The target side of a table's checksum as a build: ACCESS SHARE on the loaded table, so it runs once
 * the table's ALTER TABLEs have ended, beside its index builds and foreign keys; the rows do not
 * change after the copy (tables whose large-object references are repointed are not read here).
 */
function checksumRead(t: CommittedTable, restored: Map<string, RelationChecksum>): Parameters<BuildScheduler['add']>[0] {
  const key = relationKey(t.targetSchema, t.table);
  const name = `${t.targetSchema}.${t.table}`;
  return {
    kind: 'checksum',
    description: `checksum of ${name}`,
    locks: new Map([[key, 'ACCESS SHARE']]),
    work: async (client) => {
      try {
        restored.set(key, await checksumRelation(client, t.targetSchema, t.table, t.columns));
      } catch (err) {
        throw connectionLost(err) ?? new SchemaRestoreError('VALIDATION_FAILED', `reading the restored rows of ${name} for validation failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

/**
 * Step "copy": every table's rows from the snapshot into the staging tables (`jobs` workers, or AWS
 * DMS), then the large objects the rows refer to. As each table's copy ends, its indexes and keys
 * start building (`builds`, on the session slots the copy workers free); a table whose rows the
 * large-object step repoints waits for that step, before its keys and before post-data's triggers
 * (the lo extension's lo_manage) exist. A failed build stops the copy and is what this rejects with.
 * With validation on, the copy hashes the rows it sends, and each loaded table's rows are hashed
 * again from the target, beside its builds, for the validate step to compare.
 *
 * @example
 * const copied = await copyData(run, plans, builds);
 */
export async function copyData(run: RestoreRun, plans: readonly SchemaPlan[], builds: BuildScheduler): Promise<CopiedData> {
  const { options, past } = run;
  const jobs = options.jobs ?? 4;
  const how = options.engine === 'dms' ? 'AWS DMS full load' : 'streaming COPY';
  const schemas = stagingMappings(plans);
  const restored = new Map<string, RelationChecksum>();
  try {
    const repointed = run.made.largeObjects ? await largeObjectCandidateTables(run.snapshot.client, schemas) : [];
    const held = new Set(repointed.map((t) => relationKey(t.targetSchema, t.table)));
    const tables = await run.step('copy', `copying table data with ${jobs} worker${jobs > 1 ? 's' : ''} (${how}), building each table's indexes as its copy ends`,
      () => migrateSchemas({
        source: options.source,
        target: options.target,
        schemas,
        snapshotId: run.snapshot.id,
        jobs,
        splitTablesLargerThan: options.splitTablesLargerThan,
        checksums: options.validate !== false,
        engine: options.engine,
        // The DMS resources carry this restore's id and go into its ledger, so cleanup finds them.
        dms: completeDmsOptions(options.dms && { restoreId: run.restoreId, ledger: options.ledger, ...options.dms }, {
          sourceSecretArn: past?.secretArn, sourceDatabase: libpqEnv(options.source).PGDATABASE, targetDatabase: libpqEnv(options.target).PGDATABASE,
        }),
        onProgress: run.emit,
        signal: run.signal ? AbortSignal.any([run.signal, builds.signal]) : builds.signal,
        targetSlots: builds.slots,
        onTableCopied: (t) => {
          const key = relationKey(t.targetSchema, t.table);
          if (held.has(key)) return;
          builds.loaded(t.targetSchema, t.table);
          if (t.checksum && t.bytes >= CHECKSUM_BESIDE_BUILDS_BYTES) builds.add(checksumRead(t, restored));
        },
      }),
      (r) => `${r.length} tables, ${r.reduce((n, t) => n + t.rows, 0)} rows copied`);
    const largeObjects = await restoreLargeObjects({
      source: run.snapshot.client,
      target: run.target,
      schemas,
      largeObjects: run.made.largeObjects,
      skipOwnership: options.skipOwnership,
      skipPrivileges: options.skipPrivileges,
      phase: run.step,
      emit: run.emit,
      signal: run.signal,
    });
    run.warnings.push(...largeObjects.warnings);
    builds.loadedAll();
    return { tables, largeObjects, restored };
  } catch (err) {
    await builds.halt();
    // A failed build stopped the copy: its error is the one to tell.
    throw builds.error ?? err;
  }
}
