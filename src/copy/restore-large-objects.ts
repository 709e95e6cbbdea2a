import { ClientBase } from 'pg';
import { copyLargeObjects } from './copy-large-objects';
import { danglingWarnings, describeColumn, findLargeObjectColumns, LargeObjectColumn } from './large-object-columns';
import { LargeObjectRecord } from './large-object-record';
import { SchemaMapping } from './schema-mapping';
import { formatBytes } from '../format-units';
import { ProgressListener } from '../progress';
import { LargeObjectsReport } from '../report';
import type { PhaseRunner } from '../restore/restore-run';
import type { Abortable } from '../run-options';

/** Options of {@link restoreLargeObjects}. */
export interface RestoreLargeObjectsOptions extends Abortable {
  /** Source session inside the snapshot the rows were copied from. */
  readonly source: ClientBase;
  /** Target session, not inside a transaction. */
  readonly target: ClientBase;
  /** Source schema → staging schema, whose tables are copied. */
  readonly schemas: readonly SchemaMapping[];
  /** Where new large objects are written down; undefined leaves large objects out (`noLargeObjects`). */
  readonly largeObjects: LargeObjectRecord | undefined;
  readonly skipOwnership?: boolean;
  readonly skipPrivileges?: boolean;
  readonly phase: PhaseRunner;
  readonly emit: ProgressListener;
}

/** What {@link restoreLargeObjects} found and did. */
export interface RestoredLargeObjects {
  /** Columns that refer to large objects (also when they were left out). */
  readonly columns: LargeObjectColumn[];
  /** Undefined when nothing was copied (no such column, or large objects left out). */
  readonly copied?: LargeObjectsReport;
  readonly warnings: string[];
}

/**
 * The restore's large-object step: find the columns of the copied tables that refer to large
 * objects and, in a `large-objects` phase, give the rows copies of them ({@link copyLargeObjects});
 * with large objects left out, only warn which columns now point nowhere. No phase is shown when
 * no column refers to a large object. Run it after the table copy and before post-data.
 *
 * @example
 * const { copied, warnings } = await restoreLargeObjects({ source: snapshot.client, target, schemas, largeObjects: record, phase, emit });
 */
export async function restoreLargeObjects(o: RestoreLargeObjectsOptions): Promise<RestoredLargeObjects> {
  const columns = await findLargeObjectColumns(o.source, o.schemas);
  if (columns.length === 0) return { columns, warnings: [] };
  const named = columns.map(describeColumn).join(', ');
  if (!o.largeObjects) {
    return { columns, warnings: [`large objects were left out (noLargeObjects): ${named} keep the source's OIDs, which point at nothing in the target, or at unrelated large objects there`] };
  }
  const record = o.largeObjects;
  const copied = await o.phase('large-objects', `copying the large objects that ${named} refer to`,
    () => copyLargeObjects({ ...o, columns, record, onProgress: o.emit }),
    (r) => `${r.count} large object${r.count === 1 ? '' : 's'} (${formatBytes(r.bytes)}) copied`);
  return { columns, copied, warnings: danglingWarnings(columns) };
}
