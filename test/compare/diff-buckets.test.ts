import { diffSchemas, InvalidInputError, type SchemaDiff } from '../../src';
import { planBuckets } from '../../src/compare/bucket-plan';
import { chooseKey, readKeys } from '../../src/compare/choose-key';
import type { TableComparison } from '../../src/compare/classify-rows';
import { differingBuckets } from '../../src/compare/differing-buckets';
import { matchTables } from '../../src/compare/match-tables';
import { createDatabase, execSql, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;

/** The same tables in two schemas: keyed by an integer (range buckets), by text (hash buckets), and without a key (whole rows, with duplicates). */
const TABLES = (schema: string): string => `CREATE SCHEMA ${schema};
  CREATE TABLE ${schema}.items (id int PRIMARY KEY, note text, doc json, amount numeric);
  INSERT INTO ${schema}.items SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i END,
    json_build_object('i', i), CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END FROM generate_series(1, 400) i WHERE i % 10 <> 4;
  CREATE TABLE ${schema}.tags (code text PRIMARY KEY, label text);
  INSERT INTO ${schema}.tags SELECT 'tag-' || i, 'label ' || i FROM generate_series(1, 300) i;
  CREATE TABLE ${schema}.events (kind text, payload json);
  INSERT INTO ${schema}.events SELECT 'kind ' || (i % 40), json_build_object('n', i % 90) FROM generate_series(1, 360) i;
  INSERT INTO ${schema}.events VALUES ('dup', '[1]'), ('dup', '[1]'), ('nulls', NULL), (NULL, NULL);`;

beforeAll(async () => {
  url = await createDatabase(cluster(), 'buckets');
  await execSql(url, `${TABLES('now_s')} ${TABLES('past_s')}
    -- items, buckets of 25 ids: 3 deleted and 4 (absent before) added in bucket 0, same count; a json value changed in bucket 1;
    -- a text and a numeric value set to NULL and from NULL in bucket 2.
    DELETE FROM now_s.items WHERE id = 3; INSERT INTO now_s.items VALUES (4, 'new', '{"i": 4}', 6);
    UPDATE now_s.items SET doc = '{"i": 30, "x": true}' WHERE id = 30;
    UPDATE now_s.items SET note = NULL WHERE id = 60; UPDATE now_s.items SET amount = 1 WHERE id = 65;
    DELETE FROM now_s.tags WHERE code = 'tag-7'; INSERT INTO now_s.tags VALUES ('tag-new', NULL); UPDATE now_s.tags SET label = 'renamed' WHERE code = 'tag-250';
    -- events: one of two duplicates gone, a row added, one row changed (a delete and an add without a key).
    DELETE FROM now_s.events WHERE ctid = (SELECT min(ctid) FROM now_s.events WHERE kind = 'dup');
    INSERT INTO now_s.events VALUES ('kind 1', '{"n": 999}');
    UPDATE now_s.events SET payload = '{"n": 1000}' WHERE kind IS NULL;`);
});

const sorted = <T>(rows: readonly T[]): T[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Samples of key-less tables come in no particular order: sorted, to compare two diffs. */
const sortedSamples = (diff: SchemaDiff): SchemaDiff => ({
  ...diff,
  tables: diff.tables.map((t) => ({
    ...t,
    samples: { deleted: sorted(t.samples.deleted), added: sorted(t.samples.added), changed: sorted(t.samples.changed) },
  })),
});

async function comparisonOf(table: string): Promise<TableComparison> {
  return withClient(url, async (client) => {
    const names = { live: 'now_s', restored: 'past_s' };
    const match = (await matchTables(client, names)).tables.find((t) => t.table === table)!;
    const key = chooseKey(match, (await readKeys(client, names.live)).get(table)!, (await readKeys(client, names.restored)).get(table) ?? []);
    return { ...names, match, key };
  });
}

describe('the bucketed diff of large tables', () => {
  test('counts and samples exactly what the plain join finds: integer key, text key, no key with duplicates, NULLs and json', async () => {
    const bucketed = await diffSchemas({ target: url, schema: 'now_s', against: 'past_s', bucketedFromRows: 0 });
    const joined = await diffSchemas({ target: url, schema: 'now_s', against: 'past_s' });
    expect(sortedSamples(bucketed)).toEqual(sortedSamples(joined));
    const byName = Object.fromEntries(bucketed.tables.map((t) => [t.table, t]));
    expect(byName.items).toMatchObject({
      keyKind: 'primary',
      deleted: 1,
      added: 1,
      changed: 3,
      comparedAsText: ['doc'],
      samples: { deleted: [{ id: 3 }], added: [{ id: 4 }], changed: [{ id: 30 }, { id: 60 }, { id: 65 }] },
    });
    expect(byName.tags).toMatchObject({
      deleted: 1, added: 1, changed: 1, samples: { deleted: [{ code: 'tag-7' }], added: [{ code: 'tag-new' }], changed: [{ code: 'tag-250' }] },
    });
    expect(byName.events).toMatchObject({ keyKind: 'row', deleted: 2, added: 2, changed: 0 });
    expect(byName.events.samples.deleted).toEqual(expect.arrayContaining([{ kind: 'dup', payload: '[1]' }, { kind: null, payload: null }]));
    expect(byName.events.samples.added).toEqual(expect.arrayContaining([{ kind: 'kind 1', payload: '{"n": 999}' }, { kind: null, payload: '{"n": 1000}' }]));
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });

  test('bucketedFromRows must be a number of 0 or more', async () => {
    await expect(diffSchemas({ target: url, schema: 'now_s', against: 'past_s', bucketedFromRows: -1 }))
      .rejects.toThrow(new InvalidInputError('bucketedFromRows must be a number of 0 or more (got -1)'));
    await expect(diffSchemas({ target: url, schema: 'now_s', against: 'past_s', bucketedFromRows: Number.NaN })).rejects.toThrow(InvalidInputError);
  });

  test('the first pass finds exactly the buckets that differ, also where the count per bucket stays the same', async () => {
    const items = await comparisonOf('items');
    await withClient(url, async (client) => {
      const plan = await planBuckets(client, items, { fromRows: 0 });
      expect(plan).toMatchObject({ kind: 'range', column: 'id', low: 1n, high: 400n, width: 25n, count: 16 });
      // Bucket 0: 3 deleted and 4 added (same count); 1: a json value; 2: NULL ↔ value in two rows.
      expect(await differingBuckets(client, items, plan!)).toEqual([0, 1, 2]);
      expect(await differingBuckets(client, items, plan!, { limit: 2 })).toBeUndefined();
      const tags = await planBuckets(client, await comparisonOf('tags'), { fromRows: 0 });
      expect(tags).toMatchObject({ kind: 'hash', count: 16 });
      // Three changed keys, in one to three of the 16 hash buckets.
      expect((await differingBuckets(client, await comparisonOf('tags'), tags!))?.length).toBeGreaterThanOrEqual(1);
      expect((await differingBuckets(client, await comparisonOf('tags'), tags!))?.length).toBeLessThanOrEqual(3);
      // The default threshold leaves small tables to the plain join.
      expect(await planBuckets(client, items)).toBeUndefined();
    });
  });

  test('a changed row swapping values with another in its bucket, a table changed in every bucket (the whole join instead), a table without common columns', async () => {
    await execSql(url, `CREATE SCHEMA swap_a; CREATE SCHEMA swap_b;
      CREATE TABLE swap_a.t (id bigint PRIMARY KEY, v int, w int); CREATE TABLE swap_b.t (id bigint PRIMARY KEY, v int, w int);
      INSERT INTO swap_a.t SELECT i, i, -i FROM generate_series(-50, 1000) i; INSERT INTO swap_b.t SELECT * FROM swap_a.t;
      UPDATE swap_a.t SET v = CASE id WHEN 10 THEN 11 ELSE 10 END WHERE id IN (10, 11);
      UPDATE swap_a.t SET (v, w) = (w, v) WHERE id = 500`);
    const swapped = await diffSchemas({ target: url, schema: 'swap_a', against: 'swap_b', bucketedFromRows: 0 });
    expect(swapped.tables[0]).toMatchObject({ deleted: 0, added: 0, changed: 3, samples: { changed: [{ id: '10' }, { id: '11' }, { id: '500' }] } });
    await execSql(url, 'UPDATE swap_a.t SET w = w + 1');
    const everywhere = await diffSchemas({ target: url, schema: 'swap_a', against: 'swap_b', bucketedFromRows: 0, samples: 1 });
    expect(everywhere.tables[0]).toMatchObject({ deleted: 0, added: 0, changed: 1051, samples: { changed: [{ id: '-50' }] } });
    // A table without a column in common has nothing to hash: its rows are compared by the join (counted).
    await execSql(url, 'CREATE TABLE swap_a.bare (a int); CREATE TABLE swap_b.bare (b int); INSERT INTO swap_a.bare VALUES (1), (2); INSERT INTO swap_b.bare VALUES (1)');
    const bare = await diffSchemas({ target: url, schema: 'swap_a', against: 'swap_b', tables: ['bare'], bucketedFromRows: 0 });
    const joined = await diffSchemas({ target: url, schema: 'swap_a', against: 'swap_b', tables: ['bare'] });
    expect(bare).toEqual(joined);
  });
});
