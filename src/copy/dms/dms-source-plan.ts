import { listGeneratedColumns, listPartitionedTables, measureLargestValue } from './dms-source-survey';
import { chooseLobMode, DmsLobMode } from './dms-task-settings';
import { formatBytes } from '../../format-units';
import { ProgressListener } from '../../progress';
import { listSchemaObjects, SourceTable } from '../list-tables';
import { mappedOnly, SchemaMapping } from '../schema-mapping';
import { ClientOrConnection, useConnection } from '../use-connection';

/** What one schema's DMS task needs to know about the source. */
export interface DmsSchemaPlan {
  readonly mapping: SchemaMapping;
  /** Tables that hold rows (as the copy engine copies them). */
  readonly tables: readonly SourceTable[];
  readonly generatedColumns: readonly { readonly table: string; readonly column: string }[];
  readonly partitionedTables: readonly string[];
  /** Chosen from the largest value of the schema. */
  readonly lob: DmsLobMode;
}

/** Options of {@link surveyDmsSource}. */
export interface SurveyDmsSourceOptions {
  readonly source: ClientOrConnection;
  readonly schemas: readonly SchemaMapping[];
  readonly snapshotId?: string;
  /** @default 64 MB */
  readonly limitedLobThresholdBytes?: number;
  readonly onProgress?: ProgressListener;
}

/**
 * Read, per schema, the tables, generated columns and partitioned parents, and measure the largest
 * value to choose the LOB mode of its task (a `log` event says which and why).
 *
 * @example
 * const plans = await surveyDmsSource({ source: pastUrl, schemas: [{ source: 'customer_a1', target: 'pgsr_3f2a_0' }] });
 */
export async function surveyDmsSource(options: SurveyDmsSourceOptions): Promise<DmsSchemaPlan[]> {
  return useConnection(options.source, { role: 'source', snapshotId: options.snapshotId }, async (client) => {
    const plans: DmsSchemaPlan[] = [];
    for (const mapping of options.schemas) {
      const tables = mappedOnly(mapping, (await listSchemaObjects(client, mapping.source)).tables);
      const largest = await measureLargestValue({ source: client, schema: mapping.source });
      const lob = chooseLobMode(largest?.bytes ?? 0, { thresholdBytes: options.limitedLobThresholdBytes });
      const where = largest ? `largest value ${formatBytes(largest.bytes)} in "${largest.table}"."${largest.column}"` : 'no variable-length values';
      const mode = lob.mode === 'limited' ? `limited LOB mode, LobMaxSize ${lob.lobMaxSizeKb} KB` : 'full LOB mode';
      options.onProgress?.({ type: 'log', level: 'info', message: `DMS load of "${mapping.source}": ${where} → ${mode}` });
      plans.push({
        mapping,
        tables,
        lob,
        generatedColumns: await listGeneratedColumns(client, mapping.source),
        partitionedTables: await listPartitionedTables(client, mapping.source),
      });
    }
    return plans;
  });
}
