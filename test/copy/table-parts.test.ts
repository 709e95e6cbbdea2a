import { ProgressEvent, TableEvent } from '../../src';
import { TableParts } from '../../src/copy/table-parts';

const part = (status: TableEvent['status'], rows: number, bytes: number): TableEvent =>
  ({ type: 'table', status, schema: 's', table: 't', rows, bytes, elapsedMs: 1, estimatedRows: 1000, estimatedBytes: 50_000 });

describe('TableParts', () => {
  test('merges the parts\' events into one table: one start, growing totals, one done with the sums', () => {
    const seen: ProgressEvent[] = [];
    const parts = new TableParts(3, (e) => seen.push(e));
    const [a, b, c] = [parts.listener(0), parts.listener(10), parts.listener(20)];
    a(part('start', 0, 0));
    b(part('start', 0, 0));
    a(part('progress', 100, 1000));
    b(part('progress', 50, 500));
    a(part('done', 300, 3000));
    c(part('start', 0, 0));
    b({ type: 'log', level: 'warn', message: 'passed on' });
    c(part('done', 200, 2000));
    b(part('done', 500, 5000));
    const tables = seen.filter((e): e is TableEvent => e.type === 'table');
    expect(tables.map((e) => [e.status, e.rows, e.bytes])).toEqual([
      ['start', 0, 0], ['progress', 0, 0], ['progress', 100, 1000], ['progress', 150, 1500], ['progress', 350, 3500],
      ['progress', 350, 3500], ['progress', 550, 5500], ['done', 1000, 10_000],
    ]);
    expect(tables.every((e) => e.schema === 's' && e.table === 't' && e.estimatedRows === 1000)).toBe(true);
    expect(seen).toContainEqual({ type: 'log', level: 'warn', message: 'passed on' });
  });

  test('the table\'s result once the last part has ended: rows and bytes summed', () => {
    const parts = new TableParts(2, () => undefined);
    parts.listener(0)(part('start', 0, 0));
    expect(parts.add({ rows: 3, bytes: 30, durationMs: 5 })).toBeUndefined();
    expect(parts.add({ rows: 4, bytes: 40, durationMs: 9 })).toEqual({ rows: 7, bytes: 70, durationMs: expect.any(Number) });
  });
});
