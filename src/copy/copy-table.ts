import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ClientBase } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { SourceTable } from './list-tables';
import { BlockRange, blockRangeCondition } from './split-table';
import { connectionLost } from '../connection-errors';
import { AbortedError, CopyError } from '../errors';
import { safeListener, TableEvent } from '../progress';
import { quoteIdent, quoteQualified } from '../quote';
import type { Abortable, WithProgress } from '../run-options';
import { RowHashSum } from './row-hash';
import type { RelationChecksum } from '../validate/checksum-relation';

/** Options of {@link copyTable}. */
export interface CopyTableOptions extends Abortable, WithProgress {
  /** Source session, normally inside the exported snapshot (see `connectInSnapshot`). */
  readonly source: ClientBase;
  /** Target session; must not be inside a transaction (each table is copied in its own). */
  readonly target: ClientBase;
  /** The table at the source and the columns to copy (from {@link listTables}). */
  readonly table: Pick<SourceTable, 'schema' | 'name' | 'columns'> & Partial<Pick<SourceTable, 'estimatedRows' | 'estimatedBytes'>>;
  /** Schema in the target holding a table of the same name and columns. */
  readonly targetSchema: string;
  /**
   * Copy only the rows in these heap pages (one part of a split table, see {@link splitTable}). A
   * part neither truncates the table nor loads with `FREEZE`: the other parts write into it at the
   * same time. @default - the whole table, truncated first and loaded with `FREEZE`
   */
  readonly range?: BlockRange;
  /**
   * Also hash the rows as they stream ({@link RowHashSum}): the source side of validation, with no
   * second read of the source. @default false
   */
  readonly checksum?: boolean;
  /** Least time between two `progress` events. @default 500 */
  readonly progressIntervalMs?: number;
}

/** What {@link copyTable} moved. */
export interface CopyTableResult {
  /** Rows written in the target, as reported by its COPY command. */
  readonly rows: number;
  /** Bytes of COPY text that passed through. */
  readonly bytes: number;
  readonly durationMs: number;
  /** The rows read from the source and their content checksum, with `checksum`. */
  readonly checksum?: RelationChecksum;
}

const NEWLINE = 0x0a;

/** Text-format COPY ends every row with a newline and escapes newlines inside values, so this counts rows. */
function countRows(chunk: Buffer): number {
  let rows = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) rows++;
  return rows;
}

/**
 * The query that reads a table's columns (or the rows of `range`) at the source.
 *
 * @example
 * tableQuery({ schema: 's', name: 't', columns: ['id'] }, { first: 8 });
 * // → `SELECT "id" FROM ONLY "s"."t" WHERE ctid >= '(8,0)'::tid`
 */
export function tableQuery(table: Pick<SourceTable, 'schema' | 'name' | 'columns'>, range?: BlockRange): string {
  const where = range ? ` WHERE ${blockRangeCondition(range)}` : '';
  return `SELECT ${table.columns.map(quoteIdent).join(', ')} FROM ONLY ${quoteQualified(table.schema, table.name)}${where}`;
}

/**
 * Stream one table from the source into the same table in the target: `COPY (SELECT cols FROM ONLY
 * src.t) TO STDOUT` piped into `COPY stg.t (cols) FROM STDIN`, in text format (binary arrays and
 * composites carry type OIDs, which differ for the staging schema's types and which older servers
 * reject; binary is also not stable across major versions). Memory stays bounded: chunks
 * flow with backpressure and nothing is buffered. The target table is truncated and filled in one
 * transaction with `FREEZE`, so a retry starts clean and the rows need no later freezing by vacuum.
 * With `range`, only the rows of those pages are copied, appended without `TRUNCATE` or `FREEZE`.
 *
 * On failure or abort the target transaction is rolled back; the source session may still be in the
 * middle of its COPY and must then be closed with `end()`.
 *
 * @example
 * const source = await connectInSnapshot(sourceUrl, snapshot.id);
 * const target = await connect(targetUrl, 'target');
 * const table = (await listTables(source, 'customer_a1'))[0];
 * const { rows } = await copyTable({ source, target, table, targetSchema: 'customer_a1_staging' });
 */
export async function copyTable(options: CopyTableOptions): Promise<CopyTableResult> {
  const { source, target, table, targetSchema, signal, range } = options;
  const label = `${table.schema}.${table.name}${range ? ` (pages ${range.first}–${range.end ?? 'end'})` : ''}`;
  if (signal?.aborted) throw new AbortedError(`copy of ${label} aborted`);
  const emit = safeListener(options.onProgress);
  const intervalMs = options.progressIntervalMs ?? 500;
  const columnList = table.columns.map(quoteIdent).join(', ');
  const targetTable = quoteQualified(targetSchema, table.name);
  // Without columns (a table with none, or only generated ones) COPY's default list is the right one.
  const copyIn = `COPY ${targetTable}${columnList ? ` (${columnList})` : ''} FROM STDIN${range ? '' : ' WITH (FREEZE)'}`;
  const copyOut = `COPY (${tableQuery(table, range)}) TO STDOUT`;

  const startedAt = Date.now();
  let rows = 0;
  let bytes = 0;
  let lastEventAt = startedAt;
  const hash = options.checksum ? new RowHashSum(table.columns.length) : undefined;
  const estimates = { estimatedRows: table.estimatedRows, estimatedBytes: table.estimatedBytes };
  const event = (status: TableEvent['status']): void =>
    emit({ type: 'table', status, schema: table.schema, table: table.name, rows, bytes, elapsedMs: Date.now() - startedAt, ...estimates });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      // The hash finds the rows' ends anyway: counting them again would scan every chunk twice.
      rows += hash ? hash.update(chunk) : countRows(chunk);
      const now = Date.now();
      if (now - lastEventAt >= intervalMs) {
        lastEventAt = now;
        event('progress');
      }
      callback(null, chunk);
    },
  });

  event('start');
  try {
    await target.query('BEGIN');
    if (!range) await target.query(`TRUNCATE ONLY ${targetTable}`);
    const into = target.query(copyFrom(copyIn));
    const out = source.query(copyTo(copyOut));
    await pipeline(out, meter, into, { signal });
    rows = into.rowCount;
    await target.query('COMMIT');
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    if (signal?.aborted) throw new AbortedError(`copy of ${label} aborted`);
    const lost = connectionLost(err);
    if (lost) throw lost;
    throw new CopyError(table.schema, table.name,
      `copying ${label} into ${targetSchema}.${table.name} failed: ${(err as Error).message}; check that the target table has the source's columns and types`,
      { cause: err });
  }
  event('done');
  return { rows, bytes, durationMs: Date.now() - startedAt, checksum: hash?.result() };
}
