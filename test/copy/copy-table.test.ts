import { Client } from 'pg';
import { AbortedError, CopyError, ProgressEvent, quoteIdent, TableEvent } from '../../src';
import { connect } from '../../src/connection';
import { copyTable, CopyTableResult } from '../../src/copy/copy-table';
import { listTables, SourceTable } from '../../src/copy/list-tables';
import { checksumRelation } from '../../src/validate/checksum-relation';
import { createDatabase, createSchemaWithDdl, execSql, tableDigest, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();
const SOURCE = 'acme-corp';
const STAGING = 'acme-corp staging';
let sourceUrl: string;
let targetUrl: string;
let source: Client;
let target: Client;

/** Create the same DDL at the source (with `fill` run after it) and, empty, under the staging name in the target. */
async function both(ddl: string, fill = ''): Promise<void> {
  await execSql(sourceUrl, `SET search_path = ${quoteIdent(SOURCE)}; ${ddl}; ${fill}`);
  await execSql(targetUrl, `SET search_path = ${quoteIdent(STAGING)}; ${ddl}`);
}

async function sourceTable(name: string): Promise<SourceTable> {
  const table = (await listTables(source, SOURCE)).find((t) => t.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
}

async function rowsAsText(client: Client | string, schema: string, table: string, orderBy = 'id'): Promise<string[]> {
  const read = async (c: Client): Promise<string[]> =>
    (await c.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t ORDER BY ${orderBy}`)).rows.map((r) => r.row);
  return typeof client === 'string' ? withClient(client, read) : read(client);
}

beforeAll(async () => {
  sourceUrl = await createDatabase(cluster(), 'source');
  targetUrl = await createDatabase(cluster(), 'target');
  await createSchemaWithDdl(sourceUrl, SOURCE, '');
  await createSchemaWithDdl(targetUrl, STAGING, '');
  source = await connect(sourceUrl, 'source', 'pgsr-test source');
  target = await connect(targetUrl, 'target', 'pgsr-test target');
});

afterAll(async () => {
  await source?.end();
  await target?.end();
});

test('every type round-trips exactly, including schema enums, composites and edge values', async () => {
  await both(`
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'it''s "complicated"');
    CREATE DOMAIN positive AS int CHECK (VALUE > 0);
    CREATE TYPE pair AS (m mood, tags text[]);
    CREATE TABLE "Order Lines" (
      id int, "user" text, "select" text, m mood, ms mood[], d positive, p pair, ps pair[],
      r int4range, mr int4multirange, tr tstzrange, j jsonb, js json, b bytea, n numeric, f8 float8, f8b float8, f4 float4,
      iv interval, ts timestamptz, t timestamp, dt date, tmz timetz, txt text, ta text[], ia int[][], u uuid,
      bits varbit, addr inet, pt point, flag bool, ch "char", tsv tsvector)`, `
    INSERT INTO "Order Lines" VALUES
      (1, 'alice', 'from', 'it''s "complicated"', ARRAY['sad', NULL, 'it''s "complicated"']::mood[], 7, ROW('ok', ARRAY['a,b', NULL, 'NULL', '']),
       ARRAY[ROW('sad', '{x}')::pair, NULL], '[1,10)', '{[1,3), [5,8)}', '[2024-01-01 00:00+02, infinity)',
       '{"ключ": "値 🎉", "nested": {"a": [1, 2.50, null, true]}, "esc": "tab\\there \\"q\\" \\\\ back"}', '{"kept": "as typed",  "dup": 1, "dup": 2}',
       '\\x00ff005c0a0d09'::bytea, (repeat('9', 1000) || '.' || repeat('3', 500))::numeric, 1e-310, '-0', 3.4028235e38,
       '1 year 2 mons -3 days 04:05:06.789', '2024-02-29 23:59:59.999999+05:30', '0001-01-01 00:00:00 BC', '294276-12-31', '24:00:00-15:59',
       E'tab\\there\\nnew line\\r\\nCRLF \\\\ backslash \\\\N not null', ARRAY['a"b', 'c\\d', NULL, 'NULL', '', '{}'], '{{1,NULL},{3,4}}',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', B'10110', '2001:db8::1/64', '(1.5,-0)', true, 'x', 'fat:1A cat:2B'),
      (2, NULL, NULL, NULL, '{}', NULL, NULL, '{}', 'empty', '{}', NULL, 'null', 'null', '\\x', 'NaN', 'Infinity', '-Infinity', '-Infinity',
       '-178000000 years', '-infinity', 'infinity', 'epoch', '00:00+00', '', '{NULL}', '{}', NULL, B'', '0.0.0.0', '(0,0)', false, '\\001', ''),
      (3, ${'NULL, '.repeat(13)} '-0.000000000000000000000000000001', 'NaN', 'NaN', 'NaN', ${Array(15).fill('NULL').join(', ')})`);

  const table = await sourceTable('Order Lines');
  const result = await copyTable({ source, target, table, targetSchema: STAGING, checksum: true });

  expect(result.rows).toBe(3);
  // The rows hashed as they were sent give what the checksum query gives, on either side.
  expect(result.checksum).toEqual({ rows: 3, checksum: expect.stringMatching(/^-?\d+$/) });
  expect(await checksumRelation(target, STAGING, 'Order Lines', table.columns)).toEqual(result.checksum);
  expect(await checksumRelation(source, SOURCE, 'Order Lines', table.columns)).toEqual(result.checksum);
  expect(await rowsAsText(target, STAGING, 'Order Lines')).toEqual(await rowsAsText(source, SOURCE, 'Order Lines'));
  const checks = `SELECT f8::text, f8b::text, f4::text, n::text = 'NaN' AS n_nan, length(n::text) AS n_len, length(b) AS b_len, CASE WHEN length(b) > 0 THEN get_byte(b, 0) END AS b0,
    j->>'ключ' AS key, js::text AS js, txt, ta[3] IS NULL AS ta_null, ta[4] AS ta_text_null, d, (p).m::text AS pm, ms[3]::text AS ms3
    FROM "${STAGING}"."Order Lines" ORDER BY id`;
  const { rows } = await target.query(checks);
  expect(rows[0]).toMatchObject({ f8: '1e-310', f8b: '-0', b_len: 7, b0: 0, key: '値 🎉', js: '{"kept": "as typed",  "dup": 1, "dup": 2}' });
  expect(rows[0].n_len).toBe(1501);
  expect(rows[0].txt).toBe('tab\there\nnew line\r\nCRLF \\ backslash \\N not null');
  expect(rows[0]).toMatchObject({ ta_null: true, ta_text_null: 'NULL', d: 7, pm: 'ok', ms3: 'it\'s "complicated"' });
  expect(rows[1]).toMatchObject({ f8: 'Infinity', f8b: '-Infinity', f4: '-Infinity', n_nan: true, b_len: 0, txt: '' });
  expect(rows[2]).toMatchObject({ f8: 'NaN', f8b: 'NaN', f4: 'NaN', txt: null });
});

test('values of several MB are copied whole', async () => {
  await both('CREATE TABLE big (id int, j jsonb, t text, b bytea)', `
    INSERT INTO big SELECT 1, jsonb_build_object('k', repeat('ü', 3000000)), repeat('ab\\c', 1500000), decode(repeat('00ff5c0a', 1500000), 'hex')`);
  const result = await copyTable({ source, target, table: await sourceTable('big'), targetSchema: STAGING });
  expect(result.bytes).toBeGreaterThan(24_000_000);
  const sizes = 'SELECT octet_length(j::text) AS j, octet_length(t) AS t, length(b) AS b, md5(j::text) || md5(t) || md5(b) AS md5 FROM "%s".big';
  const [atSource] = (await source.query(sizes.replace('%s', SOURCE))).rows;
  const [restored] = (await target.query(sizes.replace('%s', STAGING))).rows;
  expect(atSource).toMatchObject({ t: 6_000_000, b: 6_000_000 });
  expect(atSource.j).toBeGreaterThan(6_000_000);
  expect(restored).toEqual(atSource);
});

test('generated columns are recomputed, identity values kept (also GENERATED ALWAYS), dropped columns ignored', async () => {
  await execSql(sourceUrl, `SET search_path = "${SOURCE}";
    CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY, gone text, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED, by_default int GENERATED BY DEFAULT AS IDENTITY);
    INSERT INTO ident (gone, a) SELECT 'x', g FROM generate_series(1, 5) g;
    DELETE FROM ident WHERE id = 2;
    INSERT INTO ident (id, a, by_default) OVERRIDING SYSTEM VALUE VALUES (1000, 7, -5);
    ALTER TABLE ident DROP COLUMN gone`);
  // pg_dump's DDL has no dropped column; the generation expression differs here to prove it is not copied.
  await execSql(targetUrl, `SET search_path = "${STAGING}";
    CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED, by_default int GENERATED BY DEFAULT AS IDENTITY)`);
  const table = await sourceTable('ident');
  expect(table.columns).toEqual(['id', 'a', 'by_default']);
  await copyTable({ source, target, table, targetSchema: STAGING });
  expect(await rowsAsText(target, STAGING, 'ident')).toEqual(['(1,1,2,1)', '(3,3,6,3)', '(4,4,8,4)', '(5,5,10,5)', '(1000,7,14,-5)']);
});

test('a table without columns keeps its row count', async () => {
  await both('CREATE TABLE nothing ()', 'INSERT INTO nothing SELECT FROM generate_series(1, 4)');
  const result = await copyTable({ source, target, table: await sourceTable('nothing'), targetSchema: STAGING });
  expect(result.rows).toBe(4);
  expect((await target.query(`SELECT count(*)::int AS n FROM "${STAGING}".nothing`)).rows[0].n).toBe(4);
});

test('copies only the table itself (FROM ONLY), replaces what the target table held, and reports progress', async () => {
  await both('CREATE TABLE parent (id int, pad text); CREATE TABLE child () INHERITS (parent)', `
    INSERT INTO parent SELECT g, repeat('p', 100) FROM generate_series(1, 20000) g;
    INSERT INTO child SELECT g, 'c' FROM generate_series(1, 10) g`);
  await execSql(targetUrl, `INSERT INTO "${STAGING}".parent VALUES (-1, 'left over from an earlier attempt')`);
  const events: ProgressEvent[] = [];
  const result = await copyTable({ source, target, table: await sourceTable('parent'), targetSchema: STAGING, onProgress: (e) => events.push(e), progressIntervalMs: 0 });

  expect(result.rows).toBe(20000);
  expect(await tableDigest(targetUrl, STAGING, 'parent')).toEqual(await tableDigest(sourceUrl, SOURCE, 'parent'));
  const tableEvents = events as TableEvent[];
  expect(tableEvents[0]).toMatchObject({ type: 'table', status: 'start', schema: SOURCE, table: 'parent', rows: 0, bytes: 0 });
  expect(tableEvents[tableEvents.length - 1]).toMatchObject({ status: 'done', rows: 20000, bytes: result.bytes });
  const progress = tableEvents.filter((e) => e.status === 'progress');
  expect(progress.length).toBeGreaterThan(1);
  progress.forEach((e, i) => i > 0 && expect(e.bytes).toBeGreaterThanOrEqual(progress[i - 1].bytes));
  expect(progress[progress.length - 1].rows).toBeLessThanOrEqual(20000);

  // Throttled: no progress event until the interval has passed (start and done always come).
  const throttled: ProgressEvent[] = [];
  await copyTable({ source, target, table: await sourceTable('parent'), targetSchema: STAGING, onProgress: (e) => throttled.push(e), progressIntervalMs: 60_000 });
  expect(throttled.map((e) => e.type === 'table' && e.status)).toEqual(['start', 'done']);
});

test('quoted identifiers: the error of a mismatched target names the table and leaves the target session usable', async () => {
  await execSql(sourceUrl, `CREATE TABLE "${SOURCE}"."We ""quote""" ("user" int, "select" int, "Mixed Case" int); INSERT INTO "${SOURCE}"."We ""quote""" VALUES (1, 2, 3)`);
  await execSql(targetUrl, `CREATE TABLE "${STAGING}"."We ""quote""" ("user" int, "select" int)`);
  const err = await copyTable({ source, target, table: await sourceTable('We "quote"'), targetSchema: STAGING }).catch((e) => e);
  expect(err).toBeInstanceOf(CopyError);
  expect(err).toMatchObject({ code: 'COPY_FAILED', schema: SOURCE, relation: 'We "quote"' });
  expect(err.message).toMatch(/^copying acme-corp\.We "quote" into acme-corp staging\.We "quote" failed: column "Mixed Case" .* does not exist/);
  expect((await target.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  // The source may still be sending its COPY: a fresh session for the next tests.
  await source.end();
  source = await connect(sourceUrl, 'source', 'pgsr-test source');
});

describe('abort', () => {
  test('an already aborted signal does nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(copyTable({ source, target, table: await sourceTable('parent'), targetSchema: STAGING, signal: controller.signal }))
      .rejects.toBeInstanceOf(AbortedError);
  });

  test('aborting mid-copy rejects with AbortedError, rolls the target back, and ending the source session stops its COPY', async () => {
    await both('CREATE TABLE large (id int, pad text)', "INSERT INTO large SELECT g, repeat('x', 200) FROM generate_series(1, 200000) g");
    const worker = await connect(sourceUrl, 'source', 'pg-schema-restore abort source');
    const controller = new AbortController();
    const onProgress = (e: ProgressEvent): void => {
      if (e.type === 'table' && e.status === 'progress' && e.bytes > 0) controller.abort();
    };
    const table = await sourceTable('large');
    const { signal } = controller;
    const err = await copyTable({ source: worker, target, table, targetSchema: STAGING, onProgress, progressIntervalMs: 0, signal }).catch((e) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((await target.query(`SELECT count(*)::int AS n FROM "${STAGING}".large`)).rows[0].n).toBe(0);
    await worker.end();
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });
});

test('memory stays bounded: while the target stalls, the source waits for us (backpressure) instead of being read ahead', async () => {
  // The target's COPY blocks at row 1000 on an advisory lock this test holds, until it lets go.
  await execSql(targetUrl, `CREATE FUNCTION "${STAGING}".gate(id int) RETURNS bool LANGUAGE plpgsql AS
    'BEGIN IF id = 1000 THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF; RETURN true; END'`);
  await execSql(sourceUrl, `CREATE TABLE "${SOURCE}".wide (id int, pad text);
    INSERT INTO "${SOURCE}".wide SELECT g, repeat(md5(g::text), 12) FROM generate_series(1, 200000) g`);
  await execSql(targetUrl, `CREATE TABLE "${STAGING}".wide (id int CHECK ("${STAGING}".gate(id)), pad text)`);
  const worker = await connect(sourceUrl, 'source', 'pg-schema-restore backpressure');
  const gatekeeper = await connect(targetUrl, 'target', 'pgsr-test gatekeeper');
  await gatekeeper.query('BEGIN; SELECT pg_advisory_xact_lock(4242)');
  let bytesRead = 0;
  let copy: Promise<CopyTableResult> | undefined;
  try {
    const table = (await listTables(worker, SOURCE)).find((t) => t.name === 'wide')!;
    const onProgress = (e: ProgressEvent): void => {
      if (e.type === 'table') bytesRead = e.bytes;
    };
    copy = copyTable({ source: worker, target, table, targetSchema: STAGING, progressIntervalMs: 0, onProgress });
    const sourceState = async (): Promise<string> => withClient(cluster().url('postgres'), async (c) => {
      const { rows } = await c.query("SELECT state, wait_event FROM pg_stat_activity WHERE application_name = 'pg-schema-restore backpressure'");
      return `${rows[0]?.state}/${rows[0]?.wait_event}`;
    });
    let state = '';
    for (const deadline = Date.now() + 20_000; state !== 'active/ClientWrite' && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await sourceState();
    }
    // The source is blocked writing to us, still inside its COPY, with most of the table unread.
    expect(state).toBe('active/ClientWrite');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sourceState()).toBe('active/ClientWrite');
    expect(bytesRead).toBeLessThan(table.estimatedBytes / 2);
    await gatekeeper.query('COMMIT');
    const result = await copy;
    expect(result.rows).toBe(200000);
    expect(result.bytes).toBeGreaterThan(78_000_000);
  } finally {
    await gatekeeper.end();
    await copy?.catch(() => undefined);
    await worker.end();
  }
});
