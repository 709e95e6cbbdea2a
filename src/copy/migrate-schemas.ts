import { Client } from 'pg';
import { listQueued, queueParts, QueuedTable } from './copy-queue';
import { copyTable } from './copy-table';
import { DmsEngineOptions } from './dms/dms-engine-options';
import { withIdentityByDefault } from './dms/identity-by-default';
import { checkDmsEngineOptions, migrateWithDms } from './dms/migrate-with-dms';
import { SourceTable } from './list-tables';
import { streamHashable } from './row-hash';
import { checkSchemaMappings, SchemaMapping } from './schema-mapping';
import type { SessionSlots } from './session-slots';
import { checkSplitThreshold, DEFAULT_SPLIT_TABLES_LARGER_THAN } from './split-table';
import { cancelOnAbort } from '../cancel-on-abort';
import { connect, DatabaseConnection } from '../connection';
import { connectInSnapshot, openSourceSnapshot } from '../connection/source-snapshot';
import { AbortedError, ConnectionError, InvalidInputError, SchemaRestoreError } from '../errors';
import { formatBytes } from '../format-units';
import { safeListener } from '../progress';
import type { Abortable, SourceAndTarget, WithProgress } from '../run-options';
import type { RelationChecksum } from '../validate/checksum-relation';

/** Options of {@link migrateSchemas}. */
export interface MigrateSchemasOptions extends SourceAndTarget, Abortable, WithProgress {
  /**
   * How data moves: `copy` streams text COPY inside the source snapshot; `dms` runs AWS DMS full-load
   * tasks (see {@link migrateWithDms}; the source must not change while it loads). @default 'copy'
   */
  readonly engine?: 'copy' | 'dms';
  /** Settings of the `dms` engine; required with it. @default - none */
  readonly dms?: DmsEngineOptions;
  /** Source schema → staging schema in the target that already holds the same tables. */
  readonly schemas: readonly SchemaMapping[];
  /** Exported source snapshot to copy from. @default - a snapshot opened now and closed at the end */
  readonly snapshotId?: string;
  /** Tables copied in parallel, each worker with its own source and target connection. @default 4 */
  readonly jobs?: number;
  /**
   * Split a table whose heap (catalog pages × block size) is larger than this many bytes into ctid
   * block ranges, up to `jobs` of them, copied by several workers at once; 0 never splits.
   * @default 67108864 (64 MiB)
   */
  readonly splitTablesLargerThan?: number;
  /**
   * Hash every row as it streams (copy engine; a UTF8 target), for validation without reading the
   * source again: each copied table's `checksum` is what `checksumRelation` gives. @default false
   */
  readonly checksums?: boolean;
  /** Least time between two `progress` events of a table. @default 500 */
  readonly progressIntervalMs?: number;
  /** Target sessions shared with other work: each worker holds one slot while its target session is open. @default - no limit but `jobs` */
  readonly targetSlots?: SessionSlots;
  /** Called as each table's rows are committed in the staging table (copy engine only). */
  readonly onTableCopied?: (table: CommittedTable) => void;
}

/** A table whose rows are committed in the staging table. */
export interface CommittedTable {
  readonly targetSchema: string;
  readonly table: string;
  /** The column list it was copied with, in its order. */
  readonly columns: readonly string[];
  /** Rows read from the source and their content checksum, with `checksums`. */
  readonly checksum?: RelationChecksum;
  /** Bytes of COPY text that passed through. */
  readonly bytes: number;
}

/** One copied table. */
export interface CopiedTable {
  /** Schema at the source. */
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly persistence: SourceTable['persistence'];
  /** Rows read from the source and their content checksum, with `checksums` (copy engine only). */
  readonly checksum?: RelationChecksum;
}

/** Reject a worker count that is not a whole number of at least 1. */
export function checkJobs(jobs: number): void {
  if (!Number.isInteger(jobs) || jobs < 1) throw new InvalidInputError(`jobs must be a whole number of at least 1, got ${jobs}`);
}

/**
 * Copy the data of every table of the given schemas from the source, as of one snapshot, into the
 * staging schemas of the target. `jobs` workers each hold a source connection inside the snapshot
 * and a target connection, and take the largest remaining table next. The first failure stops every
 * worker and rejects with a {@link CopyError} naming the table; all connections are closed in any case.
 *
 * @example
 * const copied = await migrateSchemas({
 *   source: sourceUrl, target: targetUrl, snapshotId: snapshot.id, jobs: 4,
 *   schemas: [{ source: 'customer_a1', target: 'customer_a1_staging' }],
 *   onProgress: (e) => console.log(e),
 * });
 */
export async function migrateSchemas(options: MigrateSchemasOptions): Promise<CopiedTable[]> {
  const { source, schemas, signal } = options;
  const jobs = options.jobs ?? 4;
  const engine = options.engine ?? 'copy';
  if (engine !== 'copy' && engine !== 'dms') throw new InvalidInputError(`unknown data engine "${options.engine}"; use "copy" or "dms"`);
  checkJobs(jobs);
  if (engine === 'dms') {
    checkDmsEngineOptions(options.dms);
    const dms = options.dms;
    return withIdentityByDefault(options.target, schemas.map((s) => s.target),
      () => migrateWithDms({ ...dms, source, schemas, snapshotId: options.snapshotId, jobs, onProgress: options.onProgress, signal }));
  }
  checkSchemaMappings(schemas);
  const splitAbove = options.splitTablesLargerThan ?? DEFAULT_SPLIT_TABLES_LARGER_THAN;
  checkSplitThreshold(splitAbove);
  if (signal?.aborted) throw new AbortedError('data copy aborted');
  const emit = safeListener(options.onProgress);

  const snapshot = options.snapshotId ? undefined : await openSourceSnapshot(source);
  try {
    const snapshotId = options.snapshotId ?? snapshot!.id;
    const { tables, tidRangeScans } = await listQueued(snapshot?.client ?? await joinSnapshot(source, snapshotId, 'catalog'), schemas, !snapshot);
    const queue = queueParts(tables, { largerThan: tidRangeScans ? splitAbove : 0, jobs }, emit);
    const workers = Math.min(jobs, queue.length);
    const totalBytes = tables.reduce((sum, q) => sum + q.table.estimatedBytes, 0);
    const split = new Set(queue.filter((q) => q.parts).map((q) => q.parts)).size;
    const parts = split ? `, ${split} large table${split > 1 ? 's' : ''} split into ${queue.length - tables.length + split} parts` : '';
    // The caller frames the 'copy' phase; only it knows where the copy sits in the restore.
    emit({ type: 'log', level: 'info', message: `copying ${tables.length} tables (${formatBytes(totalBytes)} on disk) with ${workers} workers${parts}` });
    return await runWorkers({ ...options, snapshotId, queue, workers });
  } finally {
    await snapshot?.close();
  }
}

async function joinSnapshot(source: DatabaseConnection, snapshotId: string, purpose: string): Promise<Client> {
  try {
    return await connectInSnapshot(source, snapshotId, `pg-schema-restore ${purpose}`);
  } catch (err) {
    if (err instanceof SchemaRestoreError) throw err;
    throw new ConnectionError(`cannot join source snapshot ${snapshotId}: ${(err as Error).message}; ` +
      'a snapshot can be joined only while the transaction that exported it is open', { cause: err });
  }
}

interface RunWorkersOptions extends MigrateSchemasOptions {
  readonly snapshotId: string;
  readonly queue: QueuedTable[];
  readonly workers: number;
}

async function runWorkers(options: RunWorkersOptions): Promise<CopiedTable[]> {
  const { queue, signal } = options;
  const stop = new AbortController();
  const abortAll = (): void => stop.abort();
  signal?.addEventListener('abort', abortAll, { once: true });
  if (signal?.aborted) stop.abort(); // aborted while the snapshot was opened or the tables listed
  const done: { order: number; copied: CopiedTable }[] = [];
  let failure: unknown;

  const worker = async (_: unknown, index: number): Promise<void> => {
    const clients: Client[] = [];
    // The same name on both sides, so a DBA can pair a worker's two sessions in pg_stat_activity.
    const name = `copy worker ${index + 1}`;
    let slot = false;
    let stopCancelling = (): void => undefined;
    try {
      await options.targetSlots?.take(stop.signal);
      slot = true;
      clients.push(await joinSnapshot(options.source, options.snapshotId, name));
      clients.push(await connect(options.target, 'target', `pg-schema-restore ${name}`));
      const [source, target] = clients;
      // A failure elsewhere or Ctrl-C cancels this worker's running statements on both servers at once,
      // also a COPY whose server side is busy (a slow trigger, a huge row) and would not notice the dropped stream.
      stopCancelling = cancelOnAbort(stop.signal, [{ client: source, connection: options.source }, { client: target, connection: options.target }]);
      const { onProgress, progressIntervalMs } = options;
      // The stream carries UTF8 (the client encoding); its hash is the query's where the target stores UTF8.
      const checksum = options.checksums === true && await streamHashable(target);
      for (let next = queue.shift(); next && !stop.signal.aborted; next = queue.shift()) {
        const { table, targetSchema, order, range, parts } = next;
        const part = await copyTable({
          source,
          target,
          table,
          targetSchema,
          range,
          checksum,
          progressIntervalMs,
          signal: stop.signal,
          onProgress: parts ? parts.listener(range!.first) : onProgress,
        });
        // A split table is copied once its last part has committed.
        const result = parts ? parts.add(part) : part;
        if (!result) continue;
        done.push({ order, copied: { schema: table.schema, table: table.name, persistence: table.persistence, ...result } });
        options.onTableCopied?.({ targetSchema, table: table.name, columns: table.columns, checksum: result.checksum, bytes: result.bytes });
      }
    } catch (err) {
      failure ??= err;
      stop.abort();
    } finally {
      stopCancelling();
      // end() drops the socket when a COPY is still running, which also stops the server side.
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      if (slot) options.targetSlots?.give();
    }
  };

  try {
    await Promise.all(Array.from({ length: options.workers }, worker));
  } finally {
    signal?.removeEventListener('abort', abortAll);
  }
  if (signal?.aborted) throw new AbortedError('data copy aborted');
  if (failure !== undefined) throw failure;
  return done.sort((a, b) => a.order - b.order).map((d) => d.copied);
}
