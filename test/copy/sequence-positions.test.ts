import { copySequencePositions, CopyError, openSourceSnapshot, quoteQualified, SchemaMapping } from '../../src';
import { readSequencePosition } from '../../src/copy/sequence-positions';
import { createDatabase, createSchemaWithDdl, execSql, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();
const MAPPINGS: SchemaMapping[] = [{ source: 'acme-corp', target: 'acme staging' }];
const DDL = `
  CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY, v text);
  CREATE TABLE with_serial (id serial, v text);
  CREATE SEQUENCE "Fresh Seq";
  CREATE SEQUENCE big_one AS bigint;
  CREATE SEQUENCE set_not_called;
  CREATE SEQUENCE downwards INCREMENT BY -1 MINVALUE -1000000 MAXVALUE -1 START WITH -1;`;
const MOVES = `
  INSERT INTO ident (v) SELECT 'x' FROM generate_series(1, 5);
  INSERT INTO with_serial (v) VALUES ('a'), ('b');
  SELECT setval('big_one', 9007199254740993);
  SELECT setval('set_not_called', 42, false);
  SELECT nextval('downwards'), nextval('downwards'), nextval('downwards');`;
const NAMES = ['Fresh Seq', 'big_one', 'downwards', 'ident_id_seq', 'set_not_called', 'with_serial_id_seq'];
let sourceUrl: string;
let databases = 0;

async function freshTarget(ddl = DDL): Promise<string> {
  const url = await createDatabase(cluster(), `target_${++databases}`);
  await createSchemaWithDdl(url, 'acme staging', ddl);
  return url;
}

/** What nextval() returns for every sequence, consuming one value. */
async function nextValues(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const values: string[] = [];
    for (const name of NAMES) values.push((await c.query('SELECT nextval($1::regclass)::text AS v', [quoteQualified(schema, name)])).rows[0].v);
    return values;
  });
}

beforeAll(async () => {
  sourceUrl = await createDatabase(cluster(), 'source');
  await createSchemaWithDdl(sourceUrl, 'acme-corp', DDL + MOVES);
});

test('every sequence gets its source position, bigint-safe, with is_called true and false', async () => {
  const targetUrl = await freshTarget();
  const snapshot = await openSourceSnapshot(sourceUrl);
  try {
    const copied = await copySequencePositions({ source: snapshot.client, target: targetUrl, schemas: MAPPINGS });
    expect(copied).toEqual([
      { schema: 'acme-corp', name: 'Fresh Seq', lastValue: '1', isCalled: false },
      { schema: 'acme-corp', name: 'big_one', lastValue: '9007199254740993', isCalled: true },
      { schema: 'acme-corp', name: 'downwards', lastValue: '-3', isCalled: true },
      { schema: 'acme-corp', name: 'ident_id_seq', lastValue: '5', isCalled: true },
      { schema: 'acme-corp', name: 'set_not_called', lastValue: '42', isCalled: false },
      { schema: 'acme-corp', name: 'with_serial_id_seq', lastValue: '2', isCalled: true },
    ]);
    const restored = await withClient(targetUrl, async (c) => Promise.all(NAMES.map((n) => readSequencePosition(c, 'acme staging', n))));
    expect(restored).toEqual(copied.map(({ lastValue, isCalled }) => ({ lastValue, isCalled })));
  } finally {
    await snapshot.close();
  }
  // The next value handed out is the same on both sides.
  expect(await nextValues(targetUrl, 'acme staging')).toEqual(await nextValues(sourceUrl, 'acme-corp'));
  expect(await waitForNoBackends(cluster())).toEqual([]);
});

test('sequences are read when called, not as of the snapshot (they are not transactional)', async () => {
  const targetUrl = await freshTarget();
  const snapshot = await openSourceSnapshot(sourceUrl);
  try {
    await execSql(sourceUrl, 'SELECT setval(\'"acme-corp".big_one\', 9223372036854775000)');
    const copied = await copySequencePositions({ source: sourceUrl, snapshotId: snapshot.id, target: targetUrl, schemas: MAPPINGS });
    expect(copied.find((s) => s.name === 'big_one')!.lastValue).toBe('9223372036854775000');
  } finally {
    await snapshot.close();
  }
  expect(await waitForNoBackends(cluster())).toEqual([]);
});

test('a sequence missing in the target is named', async () => {
  const targetUrl = await freshTarget(DDL.replace('CREATE SEQUENCE big_one AS bigint;', ''));
  const err = await copySequencePositions({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS }).catch((e) => e);
  expect(err).toBeInstanceOf(CopyError);
  expect(err).toMatchObject({ code: 'SEQUENCE_FAILED', schema: 'acme-corp', relation: 'big_one' });
  expect(err.message).toMatch(/^setting sequence acme staging\.big_one to \d+ failed: relation "acme staging\.big_one" does not exist/);
  expect(await waitForNoBackends(cluster())).toEqual([]);
});
