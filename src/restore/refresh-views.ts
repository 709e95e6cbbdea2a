import { RestoreRun, SchemaPlan, stagingMappings } from './restore-run';
import { listMaterializedViews } from '../copy/list-tables';
import { refreshMaterializedViews } from '../copy/refresh-materialized-views';
import { mappedOnly } from '../copy/schema-mapping';

/**
 * Step "materialized views": `REFRESH MATERIALIZED VIEW` in the staging schemas for each view that
 * was populated at the source (one created `WITH NO DATA` stays empty), from the restored data.
 *
 * @example
 * await refreshViews(run, plans);
 */
export async function refreshViews(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<void> {
  const client = run.snapshot.client;
  const listed = await Promise.all(stagingMappings(plans).map(async (m) => mappedOnly(m, await listMaterializedViews(client, m.source))));
  const populated = listed.flat().filter((m) => m.populated);
  await run.step('materialized-views', `refreshing ${populated.length} materialized view${populated.length === 1 ? '' : 's'}`,
    () => refreshMaterializedViews({ target: run.target, schemas: stagingMappings(plans), populated, onProgress: run.emit, signal: run.signal }));
}
