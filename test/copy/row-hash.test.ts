import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ClientBase } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { quoteIdent } from '../../src';
import { hashBytesExtended } from '../../src/copy/pg-hash';
import { addChecksums, RowHashSum, streamHashable } from '../../src/copy/row-hash';
import { checksumRelation } from '../../src/validate/checksum-relation';
import { createDatabase, execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url = '';

beforeAll(async () => {
  url = await createDatabase(cluster(), 'row_hash');
  await execSql(url, `CREATE SCHEMA s;
    CREATE TYPE s.pair AS (a text, b int);
    CREATE TABLE s.edge (id int, t text, j jsonb, ta text[], p s.pair, b bytea, n numeric, f float8, ts timestamptz, iv interval, bl bool);
    INSERT INTO s.edge VALUES
      (1, 'plain', '{"k": "v"}', ARRAY['a', 'b c'], ROW('x', 1), '\\x00ff', 1.50, 1e-310, '2024-02-29 23:59:59.999999+05:30', '1 day', true),
      (2, '', 'null', '{}', ROW('', NULL), '\\x', 'NaN', '-0', 'infinity', '-178000000 years', false),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (4, E'tab\\there\\nnew line\\r\\nCR \\\\ back "quoted" (paren), comma', '{"esc": "tab\\there \\"q\\" \\\\"}', ARRAY['"', '\\', NULL, 'NULL', ''],
       ROW('a "b" (c), d\\e', -1), '\\x5c0a', -0.000001, 'Infinity', '-infinity', '00:00:00', NULL),
      (5, E'\\\\N', '[]', ARRAY['\\N'], ROW('\\N', 0), '\\x5c4e', 0, 'NaN', 'epoch', '-1 mons', true),
      (6, E'ключ 値 🎉 \\u00a0nbsp \\x01ctl \\x0bvt \\x0cff \\x08bs', '{"ключ": "🎉"}', ARRAY['ü'], ROW('ß', 2), '\\xc3a9', 123456789012345678901234567890.5, 3.4028235e38, '2000-01-01', '1 year 2 mons -3 days 04:05:06.789', false);
    CREATE TABLE s.none ();
    INSERT INTO s.none DEFAULT VALUES; INSERT INTO s.none DEFAULT VALUES;
    CREATE TABLE s.many AS SELECT g AS id, md5(g::text) AS v, CASE WHEN g % 7 = 0 THEN NULL ELSE g * 1.5 END AS n FROM generate_series(1, 20000) g;`);
});

/** The table's COPY text (as the copy reads it: the listed columns, `connect()` settings), in chunks of these sizes. */
async function copyText(c: ClientBase, table: string, columns: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } });
  await pipeline(c.query(copyTo(`COPY (SELECT ${columns.map(quoteIdent).join(', ')} FROM ONLY s.${table}) TO STDOUT`)), sink);
  return Buffer.concat(chunks);
}

function hashInChunks(text: Buffer, columns: number, sizes: number[]): ReturnType<RowHashSum['result']> {
  const sum = new RowHashSum(columns);
  let ended = 0;
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length];
    ended += sum.update(text.subarray(at, at + size));
    at += size;
  }
  // update() tells how many rows each chunk ended (the copy's progress counts them so): a newline each.
  expect(ended).toBe(text.filter((b) => b === 0x0a).length);
  return sum.result();
}

test('PostgreSQL\'s hash_bytes_extended, ported: the same value as hashtextextended for every length and byte', async () => {
  await withClient(url, async (c) => {
    const texts = Array.from({ length: 40 }, (_, n) => 'abcdefghijklmnopqrstuvwxyz0123456789ключ🎉'.slice(0, n));
    texts.push('(1,1,8,3,2.99)', '("a ""b""",,"")', 'é'.repeat(100));
    const { rows } = await c.query<{ h: string }>('SELECT hashtextextended(t, 0)::text AS h FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i', [texts]);
    const mine = texts.map((t) => {
      const bytes = Buffer.from(t);
      const { high, low } = hashBytesExtended(bytes, bytes.length);
      return (BigInt(high) * 2n ** 32n + BigInt(low)).toString();
    });
    expect(mine).toEqual(rows.map((r) => r.h));
  });
});

test('hashing the COPY stream gives what checksumRelation\'s query gives: NULLs, empty strings, escapes, quotes, composites, arrays, Unicode, no columns', async () => {
  await withClient(url, async (c) => {
    expect(await streamHashable(c)).toBe(true);
    for (const [table, columns] of [['edge', ['id', 't', 'j', 'ta', 'p', 'b', 'n', 'f', 'ts', 'iv', 'bl']], ['none', []], ['many', ['id', 'v', 'n']]] as const) {
      const text = await copyText(c, table, [...columns]);
      const expected = await checksumRelation(c, 's', table, columns);
      expect(expected.rows).toBeGreaterThan(0);
      // Wherever the chunks are cut: inside escapes, rows and fields.
      for (const sizes of [[text.length], [1], [2, 7], [13, 1, 3], [65536]]) expect(hashInChunks(text, columns.length, sizes)).toEqual(expected);
      // A different column order is another record.
      if (columns.length > 1) expect(hashInChunks(text, columns.length, [text.length])).not.toEqual(await checksumRelation(c, 's', table, [...columns].reverse()));
    }
  });
});

test('the parts of a table add up to the whole; any changed byte, lost or added row changes the sum; a last row without newline counts', async () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `${i}\tname ${i}\t${i * 1.5}\n`);
  const whole = hashInChunks(Buffer.from(lines.join('')), 3, [4096]);
  const parts = [lines.slice(0, 10), lines.slice(10, 600), lines.slice(600)].map((p) => hashInChunks(Buffer.from(p.join('')), 3, [999]));
  expect(parts.reduce(addChecksums)).toEqual(whole);
  expect(hashInChunks(Buffer.from(lines.slice(0, 999).join('')), 3, [4096]).rows).toBe(999);
  const lastOpen = lines.join('').slice(0, -1);
  expect(hashInChunks(Buffer.from(lastOpen), 3, [100])).toEqual(whole);
  const distinct = '1\tAda\t2024-01-01\n2\tGrace\t\\N\n';
  const seen = new Set([hashInChunks(Buffer.from(distinct), 3, [64]).checksum]);
  for (let i = 0; i < distinct.length; i++) {
    if ('\n\t\\'.includes(distinct[i])) continue;
    seen.add(hashInChunks(Buffer.from(distinct.slice(0, i) + (distinct[i] === 'x' ? 'y' : 'x') + distinct.slice(i + 1)), 3, [64]).checksum);
  }
  expect(seen.size).toBe(distinct.replace(/[\n\t\\]/g, '').length + 1);
  expect(addChecksums({ rows: 1, checksum: '-9223372036854775808' }, { rows: 2, checksum: '9223372036854775807' })).toEqual({ rows: 3, checksum: '-1' });
  expect(new RowHashSum(2).result()).toEqual({ rows: 0, checksum: '0' });
});

test('a row of 8 MB fed 1 kB at a time is hashed as a whole, in time linear in its size', () => {
  const value = Buffer.alloc(8 * 1024 * 1024, 'ab\\c "d"'); // escapes and quotes all the way
  const text = Buffer.concat([Buffer.from('1\t'), value, Buffer.from('\n2\tsmall\n')]);
  const whole = hashInChunks(text, 2, [text.length]);
  expect(whole.rows).toBe(2);
  // Joining the open row's pieces on every chunk would copy gigabytes here and run past the test's time.
  expect(hashInChunks(text, 2, [1024])).toEqual(whole);
  expect(hashInChunks(text, 2, [1024, 1])).toEqual(whole);
});
