import { Client } from 'pg';
import { listSchemaObjects, SourceTable } from './list-tables';
import { mappedOnly, SchemaMapping } from './schema-mapping';
import { BlockRange, splitTable, SplitTableOptions } from './split-table';
import { TableParts } from './table-parts';
import { ProgressListener } from '../progress';

/** A table, or one part of a split table, waiting for a copy worker. */
export interface QueuedTable {
  readonly table: SourceTable;
  readonly targetSchema: string;
  /** Position in catalog order, so results come back in a stable order. */
  readonly order: number;
  /** For a part of a split table: its pages, and the table's parts that add up its progress and result. */
  readonly range?: BlockRange;
  readonly parts?: TableParts;
}

/** The tables to copy, and whether the source reads a ctid range with a TID Range Scan (PostgreSQL 14+). */
export interface ListedTables {
  readonly tables: QueuedTable[];
  readonly tidRangeScans: boolean;
}

/**
 * Every table of the schemas, in catalog order, read on a session inside the source snapshot.
 *
 * @example
 * const { tables } = await listQueued(snapshot.client, [{ source: 'customer_a1', target: 'pgsr_x_1' }], false);
 */
export async function listQueued(catalog: Client, schemas: readonly SchemaMapping[], closeCatalog: boolean): Promise<ListedTables> {
  try {
    const tables: QueuedTable[] = [];
    for (const mapping of schemas) {
      const listed = await listSchemaObjects(catalog, mapping.source);
      for (const table of mappedOnly(mapping, listed.tables)) tables.push({ table, targetSchema: mapping.target, order: tables.length });
    }
    // Before 14 a ctid range is a filter on a full scan: every part would read the whole table.
    const version = await catalog.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    return { tables, tidRangeScans: version.rows[0].v >= 140000 };
  } finally {
    if (closeCatalog) await catalog.end().catch(() => undefined);
  }
}

/**
 * The copy queue: tables larger than `split.largerThan` as their ctid block ranges (see
 * {@link splitTable}) sharing one {@link TableParts}, then largest (part) estimate first, so the
 * longest copies start early and the run does not end waiting for one big table started last.
 *
 * @example
 * const queue = queueParts(await listQueued(catalog, schemas, true), { largerThan: 64 * 2 ** 20, jobs: 4 }, emit);
 */
export function queueParts(tables: readonly QueuedTable[], split: SplitTableOptions, emit: ProgressListener): QueuedTable[] {
  const size = (q: QueuedTable): number => q.table.estimatedBytes / (q.parts?.parts ?? 1);
  return tables.flatMap((q) => {
    const ranges = splitTable(q.table, split);
    if (!ranges) return [q];
    const parts = new TableParts(ranges.length, emit);
    return ranges.map((range) => ({ ...q, range, parts }));
  }).sort((a, b) => size(b) - size(a) || (b.table.estimatedRows ?? 0) - (a.table.estimatedRows ?? 0) || a.order - b.order);
}
