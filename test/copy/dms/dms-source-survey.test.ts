import { LogEvent, ProgressEvent } from '../../../src';
import { chooseLobMode, surveyDmsSource } from '../../../src/aws';
import { measureLargestValue } from '../../../src/copy/dms/dms-source-survey';
import { createDatabase, createSchemaWithDdl, useLocalCluster, withClient } from '../../support/postgres';

const cluster = useLocalCluster();
let url: string;
const MB = 1024 * 1024;

beforeAll(async () => {
  url = await createDatabase(cluster(), 'lobs');
  await createSchemaWithDdl(url, 'big_values', `
    CREATE TABLE docs (id int, body text, meta jsonb, total int GENERATED ALWAYS AS (id * 2) STORED);
    CREATE TABLE blobs (id int, data bytea, tags text[]);
    CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    INSERT INTO docs (id, body, meta) VALUES (1, repeat('x', 6 * 1024 * 1024), '{"a": 1}'), (2, 'short', NULL);
    INSERT INTO blobs VALUES (1, decode(repeat('ff', 1024 * 1024), 'hex'), '{a,b}');`);
  await createSchemaWithDdl(url, 'small_values', 'CREATE TABLE t (id int, name varchar(20)); INSERT INTO t VALUES (1, \'abc\')');
  await createSchemaWithDdl(url, 'no_varlena', 'CREATE TABLE t (id int, at timestamptz)');
});

test('finds the largest value actually stored (6 MB of text, stored compressed) and sizes limited LOB mode above it', async () => {
  await withClient(url, async (c) => {
    const largest = await measureLargestValue({ source: c, schema: 'big_values' });
    expect(largest).toEqual({ schema: 'big_values', table: 'docs', column: 'body', bytes: 6 * MB });
    const lob = chooseLobMode(largest!.bytes);
    expect(lob.mode).toBe('limited');
    expect(lob.mode === 'limited' && lob.lobMaxSizeKb).toBeGreaterThanOrEqual(6144);
    expect(await measureLargestValue({ source: c, schema: 'small_values' })).toMatchObject({ table: 't', column: 'name', bytes: 3 });
    expect(await measureLargestValue({ source: c, schema: 'no_varlena' })).toBeUndefined();
  });
});

test('the survey plans each schema: tables, generated columns, partitioned parents, and full LOB mode above the threshold', async () => {
  const events: ProgressEvent[] = [];
  const [big, small] = await surveyDmsSource({
    source: url,
    schemas: [{ source: 'big_values', target: 'stg_big' }, { source: 'small_values', target: 'stg_small' }],
    limitedLobThresholdBytes: 4 * MB,
    onProgress: (e) => events.push(e),
  });
  expect(big.lob).toEqual({ mode: 'full' });
  expect(big.tables.map((t) => t.name)).toEqual(['blobs', 'docs', 'events_2024']);
  expect(big.generatedColumns).toEqual([{ table: 'docs', column: 'total' }]);
  expect(big.partitionedTables).toEqual(['events']);
  expect(small.lob).toEqual({ mode: 'limited', lobMaxSizeKb: 64 });
  const logs = events.filter((e): e is LogEvent => e.type === 'log').map((e) => e.message);
  expect(logs[0]).toMatch(/"big_values": largest value [\d.]+ MB in "docs"."body" → full LOB mode/);
  expect(logs[1]).toMatch(/limited LOB mode, LobMaxSize 64 KB/);
});
