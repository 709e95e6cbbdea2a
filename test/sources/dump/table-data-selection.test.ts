import { parseStatements } from '../../../src/ddl/sql-statements';
import { loadSqlParser } from '../../../src/ddl/sql-tokens';
import { parseArchiveToc } from '../../../src/sources/dump/dump-archive-toc';
import { foreignKeyEdges, tablesWithData, withoutTableData } from '../../../src/sources/dump/table-data-selection';

const TOC = `;
; Archive created at 2024-01-28 14:30:05 UTC
;     dbname: app
;
6; 2615 16387 SCHEMA - t owner
215; 1259 16388 TABLE t orders owner
216; 1259 16389 TABLE t Order Lines owner
3401; 0 16388 TABLE DATA t orders owner
3402; 0 16389 TABLE DATA t Order Lines owner
3403; 0 16390 TABLE DATA t regions owner
3404; 0 16391 TABLE DATA t big owner
3405; 0 16392 TABLE DATA public countries owner
3406; 0 0 SEQUENCE SET t orders_id_seq owner
`;

const ref = (table: string, schema = 't') => ({ schema, table });
const key = (table: string, schema = 't') => JSON.stringify([schema, table]);

beforeAll(() => loadSqlParser());

describe('foreignKeyEdges', () => {
  test('each foreign key pg_dump adds, from its table to the one it references; other post-data is not a key', () => {
    const ddl = `ALTER TABLE ONLY t.orders ADD CONSTRAINT orders_region_fkey FOREIGN KEY (region) REFERENCES t.regions(code);
      ALTER TABLE ONLY t."Order Lines" ADD CONSTRAINT l_fkey FOREIGN KEY (o) REFERENCES t.orders(id);
      ALTER TABLE ONLY t.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
      CREATE INDEX orders_idx ON t.orders USING btree (region);
      ALTER TABLE ONLY t.orders ADD CONSTRAINT c_fkey FOREIGN KEY (country) REFERENCES public.countries(code);`;
    expect(foreignKeyEdges(parseStatements(ddl))).toEqual([
      { from: ref('orders'), to: ref('regions') },
      { from: ref('Order Lines'), to: ref('orders') },
      { from: ref('orders'), to: ref('countries', 'public') },
    ]);
  });
});

describe('tablesWithData', () => {
  test('the closure and, transitively, what its tables reference; not the tables that reference them', () => {
    const edges = [{ from: ref('a'), to: ref('b') }, { from: ref('b'), to: ref('c') }, { from: ref('d'), to: ref('a') }, { from: ref('c'), to: ref('b') }];
    expect([...tablesWithData([ref('a')], edges)].sort()).toEqual([key('a'), key('b'), key('c')]);
    expect([...tablesWithData([ref('c')], edges)].sort()).toEqual([key('b'), key('c')]);
  });
});

describe('withoutTableData', () => {
  const toc = parseArchiveToc(TOC);
  const list = toc.entries.map((e) => (e.dumpId === 3403 ? `;${e.line}` : e.line)).join('\n') + '\n';

  test('comments out the TABLE DATA of the schemas\' other tables; other schemas, sequences and lines already out stay as they are', () => {
    const { list: narrowed, skipped } = withoutTableData(list, toc, ['t'], new Set([key('Order Lines')]));
    expect(skipped).toEqual(['t.orders', 't.big']);
    expect(narrowed.split('\n').filter((l) => l.startsWith(';')).map((l) => Number(l.slice(1).split(';')[0]))).toEqual([3401, 3403, 3404]);
    expect(narrowed).toContain('\n3405; 0 16392 TABLE DATA public countries owner\n');
    expect(narrowed).toContain('\n3406; 0 0 SEQUENCE SET t orders_id_seq owner\n');
  });
});
