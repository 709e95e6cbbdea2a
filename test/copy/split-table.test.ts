import { AbortedError, BuildEvent, CopiedTable, CopyError, InvalidInputError, migrateSchemas, MigrateSchemasOptions, ProgressEvent, restoreSchema, TableEvent } from '../../src';
import { tableQuery } from '../../src/copy/copy-table';
import { blockRangeCondition, splitTable } from '../../src/copy/split-table';
import { comparableDump } from '../support/dump';
import { createDatabase, createSchemaWithDdl, execSql, tableDigest, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();

describe('splitTable: ctid block ranges', () => {
  test('one part per threshold bytes, at most jobs, cut at even pages, the last one open-ended', () => {
    expect(splitTable({ pages: 1000, blockSize: 8192 }, { largerThan: 2_000_000, jobs: 4 }))
      .toEqual([{ first: 0, end: 250 }, { first: 250, end: 500 }, { first: 500, end: 750 }, { first: 750 }]);
    // 3 × 8 kB over a 10 kB threshold: 3 parts even with 8 jobs.
    expect(splitTable({ pages: 3, blockSize: 8192 }, { largerThan: 10_000, jobs: 8 }))
      .toEqual([{ first: 0, end: 1 }, { first: 1, end: 2 }, { first: 2 }]);
  });

  test('stays whole when small enough, disabled, with one job, of one page, or of unknown size', () => {
    expect(splitTable({ pages: 100, blockSize: 8192 }, { largerThan: 819_200, jobs: 4 })).toBeUndefined();
    expect(splitTable({ pages: 100, blockSize: 8192 }, { largerThan: 0, jobs: 4 })).toBeUndefined();
    expect(splitTable({ pages: 100, blockSize: 8192 }, { largerThan: 1, jobs: 1 })).toBeUndefined();
    expect(splitTable({ pages: 1, blockSize: 8192 }, { largerThan: 1, jobs: 4 })).toBeUndefined();
    expect(splitTable({}, { largerThan: 1, jobs: 4 })).toBeUndefined();
  });

  test('conditions: no lower bound on the first part, no upper bound on the last', () => {
    expect(blockRangeCondition({ first: 0, end: 250 })).toBe('ctid < \'(250,0)\'::tid');
    expect(blockRangeCondition({ first: 250, end: 500 })).toBe('ctid >= \'(250,0)\'::tid AND ctid < \'(500,0)\'::tid');
    expect(blockRangeCondition({ first: 750 })).toBe('ctid >= \'(750,0)\'::tid');
  });
});

describe('split copies on a real server', () => {
  let sourceUrl: string;
  let targetUrl: string;
  const pieces = 'CREATE TYPE mood AS ENUM (\'sad\', \'ok\', \'happy\');\n' +
    'CREATE TABLE wide (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz, price numeric(12,3), ratio float8, ' +
    'tags text[], doc jsonb, raw bytea, m mood, big text, note text);\n' +
    'CREATE INDEX wide_at ON wide (at);\n' +
    'CREATE TABLE events (id int, day date, what text) PARTITION BY RANGE (day);\n' +
    'CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM (\'2023-01-01\') TO (\'2024-01-01\');\n' +
    'CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\');\n' +
    'CREATE TABLE tiny (k text PRIMARY KEY);';

  /** Copy the tenant into `stg` of the database at `url`, every table split (one page each part, three workers). */
  const copySplit = (url: string, options: Partial<MigrateSchemasOptions> = {}): Promise<CopiedTable[]> => migrateSchemas({
    source: sourceUrl, target: url, schemas: [{ source: 'tenant', target: 'stg' }], jobs: 3, splitTablesLargerThan: 8192, ...options,
  });

  beforeAll(async () => {
    sourceUrl = await createDatabase(cluster(), 'split_source');
    targetUrl = await createDatabase(cluster(), 'split_target');
    await createSchemaWithDdl(sourceUrl, 'tenant', pieces);
    await execSql(sourceUrl, `SET search_path = tenant;
      INSERT INTO wide (at, price, ratio, tags, doc, raw, m, big, note)
        SELECT timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', g * 1.125, 1.0 / g, ARRAY['t' || g, NULL],
          jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x')), decode(md5(g::text), 'hex'),
          (ARRAY['sad', 'ok', 'happy']::mood[])[1 + g % 3],
          CASE WHEN g % 500 = 0 THEN (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 300) i) END,
          CASE WHEN g % 7 = 0 THEN NULL ELSE E'line\\twith tab\\nand newline ' || g END
        FROM generate_series(1, 20000) g;
      DELETE FROM wide WHERE id % 10 = 3;
      UPDATE wide SET note = 'updated' WHERE id % 10 = 5;
      INSERT INTO events SELECT g, date '2023-01-01' + g % 700, repeat('e', 50) || g FROM generate_series(1, 8000) g;
      INSERT INTO tiny VALUES ('a'), ('b');
      ANALYZE;`);
    // Rows added after ANALYZE: their pages lie past the catalog's relpages, so only the open-ended last part reads them.
    await execSql(sourceUrl, 'INSERT INTO tenant.wide (at, price, note) SELECT now(), g, \'after analyze \' || g FROM generate_series(1, 3000) g');
  });

  test('a part\'s query reads only its pages with a Tid Range Scan', async () => {
    const plan = await withClient(sourceUrl, async (c) => {
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${tableQuery({ schema: 'tenant', name: 'wide', columns: ['id', 'note'] }, { first: 10, end: 20 })}`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/^Tid Range Scan on wide/);
    expect(plan).toContain('TID Cond: ((ctid >= \'(10,0)\'::tid) AND (ctid < \'(20,0)\'::tid))');
  });

  test('a restore that splits every table of more than one page is exact: same dump, same rows, one line per table', async () => {
    const pages = await withClient(sourceUrl, async (c) => (await c.query<{ relpages: number; now: number }>(
      'SELECT relpages, (pg_relation_size(\'tenant.wide\') / 8192)::int AS now FROM pg_class WHERE oid = \'tenant.wide\'::regclass')).rows[0]);
    expect(pages.now).toBeGreaterThan(pages.relpages); // the test needs rows past the estimate

    const events: ProgressEvent[] = [];
    const report = await restoreSchema({
      source: sourceUrl,
      target: targetUrl,
      schemas: ['tenant'],
      suffix: '_split',
      jobs: 3,
      splitTablesLargerThan: 8192,
      onProgress: (e) => events.push(e),
    });

    const logs = events.filter((e) => e.type === 'log').map((e) => e.type === 'log' && e.message);
    expect(logs).toContainEqual(expect.stringMatching(/^copying 4 tables .* with 3 workers, 3 large tables split into 9 parts$/));
    const tableEvents = events.filter((e): e is TableEvent => e.type === 'table' && e.table === 'wide');
    expect(tableEvents.filter((e) => e.status === 'start')).toHaveLength(1);
    expect(tableEvents.filter((e) => e.status === 'done')).toHaveLength(1);
    expect(tableEvents[tableEvents.length - 1].status).toBe('done');
    // Its index and key (built as its unique index, then the constraint over it) start only once every part has committed.
    const wideDone = events.findIndex((e) => e.type === 'table' && e.table === 'wide' && e.status === 'done');
    const wideBuilds = events.flatMap((e, i) => (e.type === 'build' && e.status === 'start' && /\."?wide\b/.test(e.statement) ? [i] : []));
    expect(wideBuilds).toHaveLength(4);
    expect(Math.min(...wideBuilds)).toBeGreaterThan(wideDone);
    // One of them reads its rows back for validation (the parts' checksums add up to the table's).
    expect(wideBuilds.filter((i) => events[i].type === 'build' && (events[i] as BuildEvent).kind === 'checksum')).toHaveLength(1);
    const rowsSeen = tableEvents.map((e) => e.rows);
    expect(rowsSeen).toEqual([...rowsSeen].sort((a, b) => a - b)); // totals only grow

    const source = await tableDigest(sourceUrl, 'tenant', 'wide');
    expect(source.rows).toBe(21000);
    expect(tableEvents[tableEvents.length - 1].rows).toBe(21000);
    const reported = report.schemas[0].tables;
    for (const name of ['wide', 'events_2023', 'events_2024', 'tiny']) {
      const want = await tableDigest(sourceUrl, 'tenant', name);
      expect(await tableDigest(targetUrl, 'tenant_split', name)).toEqual(want);
      expect(reported).toContainEqual(expect.objectContaining({ name, rows: want.rows, checksumMatch: true }));
    }
    const mapped = comparableDump(cluster(), 'split_target', ['--schema-only', '-n', 'tenant_split']).replace(/tenant_split/g, 'tenant');
    expect(mapped).toBe(comparableDump(cluster(), 'split_source', ['--schema-only', '-n', 'tenant']));
    const sortedData = (db: string, schema: string): string[] =>
      comparableDump(cluster(), db, ['--data-only', '-n', schema]).replace(new RegExp(schema, 'g'), 'tenant').split('\n').sort();
    expect(sortedData('split_target', 'tenant_split')).toEqual(sortedData('split_source', 'tenant'));
  }, 120_000);

  test('a split table is reported copied once, after its last part has committed (when its index builds may start)', async () => {
    const url = await createDatabase(cluster(), 'split_copied');
    await createSchemaWithDdl(url, 'stg', pieces);
    const seen: string[] = [];
    const copied = await copySplit(url, {
      onProgress: (e) => e.type === 'table' && e.status === 'done' && seen.push(`done ${e.table}`),
      onTableCopied: (t) => seen.push(`copied ${t.table}`),
    });
    for (const table of ['wide', 'events_2023', 'events_2024', 'tiny']) {
      expect(seen.filter((s) => s === `copied ${table}`)).toHaveLength(1);
      expect(seen.indexOf(`copied ${table}`)).toBe(seen.indexOf(`done ${table}`) + 1);
    }
    expect(copied.find((t) => t.table === 'wide')).toMatchObject({ rows: 21000 });
    expect(await tableDigest(url, 'stg', 'wide')).toEqual(await tableDigest(sourceUrl, 'tenant', 'wide'));
  });

  test('aborting while parts are being copied stops every part, rolls them back and closes every session', async () => {
    const url = await createDatabase(cluster(), 'split_aborted');
    await createSchemaWithDdl(url, 'stg', pieces);
    const controller = new AbortController();
    const err = await copySplit(url, {
      signal: controller.signal,
      onProgress: (e) => e.type === 'table' && e.table === 'wide' && e.status === 'start' && controller.abort(),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((await tableDigest(url, 'stg', 'wide')).rows).toBe(0);
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });

  test('a threshold that is not a whole number of bytes is refused before anything is written', async () => {
    await expect(restoreSchema({ source: sourceUrl, target: targetUrl, schemas: ['tenant'], suffix: '_bad', splitTablesLargerThan: -1 }))
      .rejects.toThrow(new InvalidInputError('splitTablesLargerThan must be a whole number of bytes, 0 (never split) or more, got -1'));
    await expect(migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: [{ source: 'tenant', target: 'x' }], splitTablesLargerThan: 1.5 }))
      .rejects.toBeInstanceOf(InvalidInputError);
    expect(await withClient(targetUrl, async (c) => (await c.query('SELECT nspname FROM pg_namespace WHERE nspname LIKE \'%bad\' OR nspname LIKE \'pgsr%\'')).rows)).toEqual([]);
  });

  test('a failing part stops the other parts and fails the copy naming the table and its pages; no table is reported done', async () => {
    const url = await createDatabase(cluster(), 'split_failing');
    await createSchemaWithDdl(url, 'stg', `${pieces}\nALTER TABLE wide ADD CHECK (id <= 15000);`);
    const events: ProgressEvent[] = [];
    const copied: string[] = [];
    const err = await copySplit(url, {
      onProgress: (e) => events.push(e),
      onTableCopied: (t) => copied.push(t.table),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect(err).toMatchObject({ schema: 'tenant', relation: 'wide' });
    expect((err as Error).message).toMatch(/^copying tenant\.wide \(pages \d+–(\d+|end)\) into stg\.wide failed: new row for relation "wide" violates check constraint/);
    expect(copied).not.toContain('wide');
    expect(events.some((e) => e.type === 'table' && e.table === 'wide' && e.status === 'done')).toBe(false);
    expect(await waitForNoBackends(cluster())).toEqual([]);
  }, 60_000);
});
