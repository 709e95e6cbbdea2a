import { listQueued, queueParts, QueuedTable } from '../../src/copy/copy-queue';
import { SourceTable } from '../../src/copy/list-tables';
import { createDatabase, createSchemaWithDdl, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

function queued(name: string, pages: number, order: number): QueuedTable {
  const table: SourceTable = { schema: 's', name, columns: ['id'], persistence: 'permanent', estimatedBytes: pages * 8192, pages, blockSize: 8192 };
  return { table, targetSchema: 'stg', order };
}

describe('queueParts', () => {
  test('large tables become their parts, sharing one TableParts; largest (part) first, catalog order on ties', () => {
    const queue = queueParts([queued('small', 10, 0), queued('big', 120, 1), queued('medium', 35, 2), queued('twin', 35, 3)], { largerThan: 8192 * 32, jobs: 4 }, () => undefined);
    expect(queue.map((q) => [q.table.name, q.range])).toEqual([
      ['big', { first: 0, end: 30 }], ['big', { first: 30, end: 60 }], ['big', { first: 60, end: 90 }], ['big', { first: 90 }],
      ['medium', { first: 0, end: 17 }], ['medium', { first: 17 }], ['twin', { first: 0, end: 17 }], ['twin', { first: 17 }],
      ['small', undefined],
    ]);
    const bigParts = queue.filter((q) => q.table.name === 'big').map((q) => q.parts);
    expect(new Set(bigParts).size).toBe(1);
    expect(bigParts[0]!.parts).toBe(4);
    expect(queue.find((q) => q.table.name === 'small')!.parts).toBeUndefined();
  });
});

describe('listQueued', () => {
  test('lists the tables of every schema in catalog order with their pages, and knows PostgreSQL 15 has TID Range Scans', async () => {
    const url = await createDatabase(cluster(), 'queue');
    await createSchemaWithDdl(url, 'a', 'CREATE TABLE t2 (id int); CREATE TABLE t1 (id int); INSERT INTO t1 SELECT generate_series(1, 5000); ANALYZE t1');
    await createSchemaWithDdl(url, 'b', 'CREATE TABLE t0 (id int)');
    const listed = await withClient(url, (c) => listQueued(c, [{ source: 'a', target: 'x' }, { source: 'b', target: 'y' }], false));
    expect(listed.tidRangeScans).toBe(true);
    expect(listed.tables.map((q) => [q.table.name, q.targetSchema, q.order])).toEqual([['t1', 'x', 0], ['t2', 'x', 1], ['t0', 'y', 2]]);
    expect(listed.tables[0].table.pages).toBeGreaterThan(10);
  });
});
