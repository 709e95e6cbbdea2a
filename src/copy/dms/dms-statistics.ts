import type {
  DatabaseMigrationServiceClient,
  ReplicationTask,
  TableStatistics,
} from '@aws-sdk/client-database-migration-service';
import { explainAwsResourceError } from '../../aws/explain-aws-error';
import { dmsSdk } from '../../aws/sdk';
import { CopyError } from '../../errors';
import { SchemaMapping } from '../schema-mapping';

/**
 * Every table statistic of a task (DescribeTableStatistics, all pages).
 *
 * @example
 * const stats = await readTableStatistics(dms, taskArn);
 */
export async function readTableStatistics(dms: DatabaseMigrationServiceClient, taskArn: string, signal?: AbortSignal): Promise<TableStatistics[]> {
  const all: TableStatistics[] = [];
  try {
    const paging = { client: dms, pageSize: 500, ...(signal ? { abortSignal: signal } : {}) };
    const pages = dmsSdk.paginateDescribeTableStatistics(paging, { ReplicationTaskArn: taskArn });
    for await (const page of pages) {
      all.push(...page.TableStatistics ?? []);
    }
  } catch (err) {
    throw explainAwsResourceError('dms', err, `read the table statistics of replication task ${taskArn}`, taskArn);
  }
  return all;
}

/** One table as a finished full load reports it. */
export interface LoadedTable {
  /** Schema at the source. */
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  /** From the table's full-load start and end; 0 when DMS does not say. */
  readonly durationMs: number;
}

/** Options of {@link fullLoadResult}. */
export interface FullLoadResultOptions {
  /** The task as DescribeReplicationTasks returned it after it stopped. */
  readonly task: ReplicationTask;
  readonly statistics: readonly TableStatistics[];
  readonly mapping: SchemaMapping;
  /** Tables the load had to copy (those of the source schema). */
  readonly tables: readonly string[];
}

const oneLine = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
const LOG_HINT = 'read the task log in CloudWatch (enable it with dms.logging) or the DMS console, fix the cause and retry';

/**
 * Judge a finished full load from the task and its table statistics: rows per table, or a
 * {@link CopyError} naming the table in error (`Table error`, rows in error, not loaded at all) or
 * the task's stop reason and failure. Pure.
 *
 * @example
 * const loaded = fullLoadResult({ task, statistics, mapping: { source: 'customer_a1', target: 'pgsr_3f2a_0' }, tables: ['orders'] });
 */
export function fullLoadResult(options: FullLoadResultOptions): LoadedTable[] {
  const { task, statistics, mapping } = options;
  const schema = mapping.source;
  const id = task.ReplicationTaskIdentifier ?? task.ReplicationTaskArn ?? 'DMS task';
  const failure = oneLine(task.LastFailureMessage);
  const because = failure ? ` (task: ${failure})` : '';
  // DMS reports the source schema; accept the renamed one too.
  const ours = statistics.filter((s) => s.SchemaName === schema || s.SchemaName === mapping.target);
  const tableError = (stat: TableStatistics) => {
    const errorRows = stat.FullLoadErrorRows ?? 0;
    return new CopyError(schema, stat.TableName ?? '', `DMS could not load table "${schema}"."${stat.TableName}": state "${stat.TableState ?? 'unknown'}", ` +
      `${errorRows} row${errorRows === 1 ? '' : 's'} in error${because}; ${LOG_HINT}`);
  };
  const inError = ours.find((s) => s.TableState === 'Table error' || (s.FullLoadErrorRows ?? 0) > 0);
  if (inError) throw tableError(inError);
  const finished = task.Status === 'stopped' && (task.StopReason ?? '').includes('FULL_LOAD_ONLY_FINISHED');
  if (!finished || (task.ReplicationTaskStats?.TablesErrored ?? 0) > 0) {
    throw new CopyError(schema, '', `DMS task ${id} for schema "${schema}" ended "${task.Status ?? 'unknown'}"` +
      `${task.StopReason ? ` (${oneLine(task.StopReason)})` : ''}${failure ? `: ${failure}` : ''}; ${LOG_HINT}`);
  }
  return options.tables.map((table): LoadedTable => {
    const stat = ours.find((s) => s.TableName === table);
    if (!stat) throw new CopyError(schema, table, `DMS task ${id} did not load table "${schema}"."${table}"; ${LOG_HINT}`);
    if (stat.TableState !== 'Table completed') throw tableError(stat);
    const started = stat.FullLoadStartTime?.getTime();
    const ended = stat.FullLoadEndTime?.getTime();
    const durationMs = started !== undefined && ended !== undefined ? Math.max(0, ended - started) : 0;
    return { schema, table, rows: stat.FullLoadRows ?? 0, durationMs };
  });
}
