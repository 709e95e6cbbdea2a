import { libpqEnv } from '../connection';
import { RestoreRun, SchemaPlan, stagingMappings } from './restore-run';
import { completeDmsOptions } from '../copy/dms/dms-engine-options';
import { CopiedTable, migrateSchemas } from '../copy/migrate-schemas';
import { restoreLargeObjects, RestoredLargeObjects } from '../copy/restore-large-objects';

/** The rows copied, and the large objects the rows refer to. */
export interface CopiedData {
  readonly tables: CopiedTable[];
  readonly largeObjects: RestoredLargeObjects;
}

/**
 * Step "copy": every table's rows from the snapshot into the staging tables (`jobs` workers, or AWS
 * DMS), then the large objects the rows refer to — before post-data, whose triggers (the lo
 * extension's lo_manage) must not see the rows repointed.
 *
 * @example
 * const copied = await copyData(run, plans);
 */
export async function copyData(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<CopiedData> {
  const { options, past } = run;
  const jobs = options.jobs ?? 4;
  const how = options.engine === 'dms' ? 'AWS DMS full load' : 'streaming COPY';
  const schemas = stagingMappings(plans);
  const tables = await run.step('copy', `copying table data with ${jobs} worker${jobs > 1 ? 's' : ''} (${how})`,
    () => migrateSchemas({
      source: options.source,
      target: options.target,
      schemas,
      snapshotId: run.snapshot.id,
      jobs,
      engine: options.engine,
      // The DMS resources carry this restore's id and go into its ledger, so cleanup finds them.
      dms: completeDmsOptions(options.dms && { restoreId: run.restoreId, ledger: options.ledger, ...options.dms }, {
        sourceSecretArn: past?.secretArn, sourceDatabase: libpqEnv(options.source).PGDATABASE, targetDatabase: libpqEnv(options.target).PGDATABASE,
      }),
      onProgress: run.emit,
      signal: run.signal,
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
  return { tables, largeObjects };
}
