import { CopyError, ProgressEvent, refreshMaterializedViews, SchemaMapping } from '../../src';
import { listMaterializedViews } from '../../src/copy/list-tables';
import { createDatabase, createSchemaWithDdl, execSql, tableDigest, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();
const MAPPINGS: SchemaMapping[] = [{ source: 'acme-corp', target: 'acme staging' }, { source: 'reports', target: 'reports staging' }];
// Names sort opposite to the dependency order, so refreshing by name would fail.
const SALES_TABLE = 'CREATE TABLE sales (id int, amount int);';
const ACME = `
  CREATE MATERIALIZED VIEW "z base" AS SELECT id % 10 AS bucket, sum(amount) AS total FROM sales GROUP BY 1 %DATA%;
  CREATE VIEW via_view AS SELECT bucket, total * 2 AS doubled FROM "z base";
  CREATE MATERIALIZED VIEW b_through_view AS SELECT * FROM via_view %DATA%;
  CREATE MATERIALIZED VIEW a_dependent AS SELECT bucket, total FROM "z base" WHERE total > 0 %DATA%;
  CREATE MATERIALIZED VIEW "0 top" AS SELECT count(*) AS n FROM a_dependent %DATA%;
  CREATE MATERIALIZED VIEW never_filled AS SELECT * FROM sales WITH NO DATA;`;
const REPORTS = 'CREATE MATERIALIZED VIEW "across schemas" AS SELECT sum(total) AS s FROM "%ACME%"."0 top", "%ACME%"."z base" %DATA%;';
const SALES = 'INSERT INTO sales SELECT g, g * 3 FROM generate_series(1, 1000) g';
let sourceUrl: string;
let databases = 0;

/** The target after pre-data (pg_dump creates every materialized view WITH NO DATA) and the data copy. */
async function freshTarget(populatedHere = false): Promise<string> {
  const url = await createDatabase(cluster(), `target_${++databases}`);
  await createSchemaWithDdl(url, 'acme staging', SALES_TABLE + ACME.replace(/%DATA%/g, 'WITH NO DATA').replace('* FROM sales WITH NO DATA', `* FROM sales ${populatedHere ? '' : 'WITH NO DATA'}`));
  await createSchemaWithDdl(url, 'reports staging', REPORTS.replace(/%ACME%/g, 'acme staging').replace('%DATA%', 'WITH NO DATA'));
  await execSql(url, `SET search_path = "acme staging"; ${SALES}`);
  return url;
}

async function populatedState(url: string): Promise<Record<string, boolean>> {
  return withClient(url, async (c) => Object.fromEntries((await c.query(
    "SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm' AND relnamespace::regnamespace::text IN ('\"acme staging\"', '\"reports staging\"')")).rows
    .map((r) => [r.relname, r.relispopulated])));
}

beforeAll(async () => {
  sourceUrl = await createDatabase(cluster(), 'source');
  await createSchemaWithDdl(sourceUrl, 'acme-corp', `${SALES_TABLE} ${SALES}; ${ACME.replace(/%DATA%/g, '')}`);
  await createSchemaWithDdl(sourceUrl, 'reports', REPORTS.replace(/%ACME%/g, 'acme-corp').replace('%DATA%', ''));
});

async function populatedAtSource(): Promise<{ schema: string; name: string }[]> {
  const all = await withClient(sourceUrl, async (c) => Promise.all(MAPPINGS.map((m) => listMaterializedViews(c, m.source))));
  return all.flat().filter((m) => m.populated);
}

test('refreshes populated materialized views after those they read, and leaves unpopulated ones empty', async () => {
  const targetUrl = await freshTarget();
  const populated = await populatedAtSource();
  expect(populated.map((m) => m.name).sort()).toEqual(['0 top', 'a_dependent', 'across schemas', 'b_through_view', 'z base']);
  const events: ProgressEvent[] = [];

  const refreshed = await refreshMaterializedViews({ target: targetUrl, schemas: MAPPINGS, populated, onProgress: (e) => events.push(e) });

  const order = refreshed.map((r) => `${r.schema}.${r.name}`);
  const before = (a: string, b: string): boolean => order.indexOf(a) < order.indexOf(b);
  expect(order).toHaveLength(5);
  expect(before('acme-corp.z base', 'acme-corp.a_dependent')).toBe(true);
  expect(before('acme-corp.z base', 'acme-corp.b_through_view')).toBe(true);
  expect(before('acme-corp.a_dependent', 'acme-corp.0 top')).toBe(true);
  expect(before('acme-corp.0 top', 'reports.across schemas')).toBe(true);
  expect(await populatedState(targetUrl)).toEqual({ '0 top': true, 'a_dependent': true, 'across schemas': true, 'b_through_view': true, 'never_filled': false, 'z base': true });
  for (const name of ['z base', 'b_through_view', 'a_dependent', '0 top']) {
    expect(await tableDigest(targetUrl, 'acme staging', name)).toEqual(await tableDigest(sourceUrl, 'acme-corp', name));
  }
  expect(await tableDigest(targetUrl, 'reports staging', 'across schemas')).toEqual(await tableDigest(sourceUrl, 'reports', 'across schemas'));
  expect(events).toContainEqual({ type: 'log', level: 'info', message: 'refreshing materialized view acme-corp.z base' });
});

test('a materialized view the DDL created with data but that was empty at the source is emptied', async () => {
  const targetUrl = await freshTarget(true);
  expect((await populatedState(targetUrl)).never_filled).toBe(true);
  await refreshMaterializedViews({ target: targetUrl, schemas: MAPPINGS, populated: await populatedAtSource() });
  expect((await populatedState(targetUrl)).never_filled).toBe(false);
});

test('with nothing populated nothing is refreshed', async () => {
  const targetUrl = await freshTarget();
  expect(await refreshMaterializedViews({ target: targetUrl, schemas: MAPPINGS, populated: [] })).toEqual([]);
  expect(Object.values(await populatedState(targetUrl)).every((p) => !p)).toBe(true);
});

test('a populated materialized view missing in the target is named', async () => {
  const targetUrl = await freshTarget();
  await execSql(targetUrl, 'DROP MATERIALIZED VIEW "reports staging"."across schemas"');
  const err = await refreshMaterializedViews({ target: targetUrl, schemas: MAPPINGS, populated: await populatedAtSource() }).catch((e) => e);
  expect(err).toBeInstanceOf(CopyError);
  expect(err).toMatchObject({ code: 'REFRESH_FAILED', schema: 'reports', relation: 'across schemas' });
  expect(err.message).toMatch(/materialized view across schemas does not exist in reports staging/);
});

test('a populated materialized view that reads one emptied at the source cannot be refreshed, and says which', async () => {
  const ddl = 'CREATE MATERIALIZED VIEW emptied AS SELECT 1 AS one %DATA%; CREATE MATERIALIZED VIEW reader AS SELECT * FROM emptied %DATA%;';
  await createSchemaWithDdl(sourceUrl, 'edge', `${ddl.replace(/%DATA%/g, '')} REFRESH MATERIALIZED VIEW emptied WITH NO DATA`);
  const targetUrl = await createDatabase(cluster(), `target_${++databases}`);
  await createSchemaWithDdl(targetUrl, 'edge staging', ddl.replace(/%DATA%/g, 'WITH NO DATA'));
  const populated = await withClient(sourceUrl, async (c) => (await listMaterializedViews(c, 'edge')).filter((m) => m.populated));
  expect(populated.map((m) => m.name)).toEqual(['reader']);
  const err = await refreshMaterializedViews({ target: targetUrl, schemas: [{ source: 'edge', target: 'edge staging' }], populated }).catch((e) => e);
  expect(err).toBeInstanceOf(CopyError);
  expect(err).toMatchObject({ code: 'REFRESH_FAILED', schema: 'edge', relation: 'reader' });
  expect(err.message).toMatch(/^refreshing materialized view edge staging\.reader failed: materialized view "emptied" has not been populated/);
});
