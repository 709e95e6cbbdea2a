import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRestore, ProgressEvent, restoreSchema, RestoreReport } from '../../src';
import { validateRestore } from '../../src/validate/validate-restore';
import { freshBaseDir, leftovers } from '../support/dump-archives';
import { execSql, useLocalCluster, withClient } from '../support/postgres';

const source = useLocalCluster(); // the past
const target = useLocalCluster(); // live

/** 1.5 MiB + 2 bytes of content: more than one 1 MiB slice, not a multiple of it. */
const BIG_BYTES = 98304 * 16 + 2;
const BIG = "decode(repeat(md5('big'), 98304) || 'abcd', 'hex')";
const DANGLING = 4294967000;

/** Every large object of a database: OID → owner, access list, comment and content digest. */
async function largeObjects(url: string): Promise<Record<string, { owner: string; acl: string | null; comment: string | null; md5: string }>> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ oid: string; owner: string; acl: string | null; comment: string | null; md5: string }>(
      `SELECT oid::text, pg_get_userbyid(lomowner) AS owner, lomacl::text AS acl, obj_description(oid, 'pg_largeobject') AS comment, md5(lo_get(oid)) AS md5
       FROM pg_largeobject_metadata ORDER BY oid`);
    return Object.fromEntries(rows.map(({ oid, ...rest }) => [oid, rest]));
  });
}

/** The rows of the test tables, with each large object's OID. */
type FileRow = { id: number; body: string | null; attachment: string | null };
async function rowsOf(url: string, schema: string): Promise<{ files: FileRow[]; refs: string[]; kinds: string[] }> {
  return withClient(url, async (c) => ({
    files: (await c.query(`SELECT id, body::text, attachment::text FROM "${schema}".files ORDER BY id`)).rows,
    refs: (await c.query(`SELECT ref::text FROM "${schema}".shared_refs ORDER BY id`)).rows.map((r) => r.ref),
    kinds: (await c.query(`SELECT type_oid::text FROM "${schema}".kinds ORDER BY id`)).rows.map((r) => r.type_oid),
  }));
}

const ROLES = 'CREATE ROLE lo_owner; CREATE ROLE lo_reader';

/** A table with an oid and an lo column, one referring to another table's object, an oid column of type OIDs. */
const SCHEMA_SQL = (schema: string) => `
CREATE SCHEMA "${schema}";
CREATE TABLE "${schema}".files (id int PRIMARY KEY, body oid, attachment lo);
CREATE TABLE "${schema}".shared_refs (id int PRIMARY KEY, ref oid);
CREATE TABLE "${schema}".kinds (id int PRIMARY KEY, type_oid oid);
INSERT INTO "${schema}".kinds VALUES (1, 'int4'::regtype), (2, 'text'::regtype);
DO $$
DECLARE big oid := lo_from_bytea(0, ${BIG}); small oid := lo_from_bytea(0, 'attached');
BEGIN
  EXECUTE format('ALTER LARGE OBJECT %s OWNER TO lo_owner', small);
  EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO lo_reader', small);
  EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', small, 'the attachment');
  INSERT INTO "${schema}".files VALUES (1, big, small), (2, big, NULL), (3, ${DANGLING}, NULL), (4, NULL, NULL);
  INSERT INTO "${schema}".shared_refs VALUES (1, small);
END $$;`;

describe('restoreSchema: large objects follow the restored rows', () => {
  let sourceObjects: Awaited<ReturnType<typeof largeObjects>>;
  let liveBefore: Awaited<ReturnType<typeof largeObjects>>;
  let report: RestoreReport;
  let events: ProgressEvent[];

  beforeAll(async () => {
    for (const cluster of [source(), target()]) {
      await execSql(cluster.url('postgres'), 'CREATE DATABASE app');
      await execSql(cluster.url('postgres'), ROLES);
      await execSql(cluster.url('app'), 'CREATE EXTENSION lo');
    }
    await execSql(source().url('app'), SCHEMA_SQL('Docs A'));
    // A trigger function that the live database lacks: its post-data fails after the large objects are copied.
    await execSql(source().url('app'), `CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
      CREATE SCHEMA broken; CREATE TABLE broken.files (id int PRIMARY KEY, body oid);
      INSERT INTO broken.files SELECT 1, lo_from_bytea(0, 'doomed');
      CREATE TRIGGER touch BEFORE UPDATE ON broken.files FOR EACH ROW EXECUTE FUNCTION public.touch()`);
    sourceObjects = await largeObjects(source().url('app'));
    // The live database has large objects of its own, some under the source's OIDs.
    await execSql(target().url('app'), `SELECT lo_from_bytea(o, convert_to('live ' || o, 'UTF8')) FROM unnest('{${Object.keys(sourceObjects)}}'::oid[]) o;
      SELECT lo_from_bytea(0, 'live too')`);
    liveBefore = await largeObjects(target().url('app'));
    events = [];
    report = await restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['Docs A'], suffix: '_r', onProgress: (e) => events.push(e) });
  }, 120_000);

  test('each referenced large object is copied once, with its content; shared ones stay shared', async () => {
    const before = await rowsOf(source().url('app'), 'Docs A');
    const after = await rowsOf(target().url('app'), 'Docs A_r');
    const live = await largeObjects(target().url('app'));
    const [big, small] = [after.files[0].body!, after.files[0].attachment!];
    expect(after.files[1].body).toBe(big);
    expect(after.refs).toEqual([small]);
    expect(live[big].md5).toBe(sourceObjects[before.files[0].body!].md5);
    expect(live[small].md5).toBe(sourceObjects[before.files[0].attachment!].md5);
    expect(Object.keys(live).sort()).toEqual([...Object.keys(liveBefore), big, small].sort());
    expect(report.largeObjects).toEqual({ count: 2, bytes: BIG_BYTES + 'attached'.length });
    expect(events.filter((e) => e.type === 'phase' && e.phase === 'large-objects').map((e) => e.type === 'phase' && e.status)).toEqual(['start', 'done']);
  });

  test('owner, access list and comment are the source\'s', async () => {
    const before = await rowsOf(source().url('app'), 'Docs A');
    const after = await rowsOf(target().url('app'), 'Docs A_r');
    const live = await largeObjects(target().url('app'));
    const { md5: _a, ...sourceSmall } = sourceObjects[before.files[0].attachment!];
    const { md5: _b, ...restoredSmall } = live[after.files[0].attachment!];
    expect(restoredSmall).toEqual(sourceSmall);
    expect(restoredSmall).toMatchObject({ owner: 'lo_owner', acl: expect.stringContaining('lo_reader=r/lo_owner'), comment: 'the attachment' });
    expect(live[after.files[0].body!]).toMatchObject({ owner: 'postgres', acl: null, comment: null });
  });

  test('NULLs, values that are no large object and oid columns of other things are left as they were, dangling ones with a warning', async () => {
    const after = await rowsOf(target().url('app'), 'Docs A_r');
    expect(after.files.slice(2)).toEqual([{ id: 3, body: String(DANGLING), attachment: null }, { id: 4, body: null, attachment: null }]);
    expect(after.kinds).toEqual(['23', '25']);
    expect(report.warnings.join('\n')).toMatch(`Docs A.files.body: 1 value is no large object at the source (e.g. ${DANGLING})`);
  });

  test('the live database\'s own large objects are untouched, and the record of the restore is gone', async () => {
    const live = await largeObjects(target().url('app'));
    for (const [oid, object] of Object.entries(liveBefore)) expect(live[oid]).toEqual(object);
    const leftover = await withClient(target().url('app'), async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr_%'")).rows);
    expect(leftover).toEqual([]);
  });

  test('validation compares the content referenced: a row pointing at another large object is a mismatch', async () => {
    const after = await rowsOf(target().url('app'), 'Docs A_r');
    const before = await rowsOf(source().url('app'), 'Docs A');
    const url = target().url('app');
    await execSql(url, `CREATE SCHEMA lo_record; CREATE TABLE lo_record.large_objects (source_oid oid, target_oid oid);
      INSERT INTO lo_record.large_objects VALUES (${before.files[0].body}, ${after.files[0].body}), (${before.files[0].attachment}, ${after.files[0].attachment})`);
    const validate = () => validateRestore({
      source: source().url('app'),
      target: url,
      schemas: [{ source: 'Docs A', target: 'Docs A_r' }],
      largeObjects: { columns: [{ schema: 'Docs A', table: 'files', column: 'body' }, { schema: 'Docs A', table: 'files', column: 'attachment' }, { schema: 'Docs A', table: 'shared_refs', column: 'ref' }], record: '"lo_record"."large_objects"' },
    });
    try {
      expect((await validate()).mismatches).toEqual([]);
      await execSql(url, `UPDATE "Docs A_r".shared_refs SET ref = ${after.files[0].body}`);
      expect((await validate()).mismatches).toEqual(['Docs A.shared_refs: contents differ (1 rows on both sides, different checksums)']);
      // Pointing at the live database's object that has the source's OID is a mismatch too.
      await execSql(url, `UPDATE "Docs A_r".shared_refs SET ref = ${before.files[0].attachment}`);
      expect((await validate()).mismatches).toHaveLength(1);
    } finally {
      await execSql(url, `DROP SCHEMA lo_record CASCADE; UPDATE "Docs A_r".shared_refs SET ref = ${after.files[0].attachment}`);
    }
  });

  test('a failure after the large objects were created leaves none of them in the target', async () => {
    const live = await largeObjects(target().url('app'));
    const phases: string[] = [];
    const onProgress = (e: ProgressEvent) => e.type === 'phase' && phases.push(`${e.phase} ${e.status}`);
    await expect(restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['broken'], suffix: '_r', onProgress }))
      .rejects.toMatchObject({ code: 'DDL_ERROR', message: expect.stringMatching(/touch/) });
    expect(phases).toEqual(expect.arrayContaining(['large-objects done', 'post-data start', 'cleanup done']));
    expect(await largeObjects(target().url('app'))).toEqual(live);
    const controller = new AbortController();
    const abortAfterCopy = (e: ProgressEvent) => {
      if (e.type === 'phase' && e.phase === 'large-objects' && e.status === 'done') controller.abort();
    };
    await expect(restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['Docs A'], suffix: '_aborted', onProgress: abortAfterCopy, signal: controller.signal }))
      .rejects.toMatchObject({ code: 'ABORTED' });
    expect(await largeObjects(target().url('app'))).toEqual(live);
    const left = await withClient(target().url('app'), async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr_%' OR nspname LIKE '%_aborted' OR nspname = 'broken_r'")).rows);
    expect(left).toEqual([]);
  }, 60_000);

  test('a large object\'s owner missing in the target is named before anything is copied; skipOwnership gives it to the restoring user', async () => {
    await execSql(source().url('app'), `CREATE ROLE lo_ghost; CREATE SCHEMA ghost; CREATE TABLE ghost.files (id int PRIMARY KEY, body oid);
      INSERT INTO ghost.files SELECT 1, lo_from_bytea(0, 'boo');
      DO $$ BEGIN EXECUTE (SELECT format('ALTER LARGE OBJECT %s OWNER TO lo_ghost', body) FROM ghost.files); END $$`);
    const live = await largeObjects(target().url('app'));
    await expect(restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['ghost'], suffix: '_r' }))
      .rejects.toMatchObject({ code: 'MISSING_ROLES', roles: ['lo_ghost'] });
    expect(await largeObjects(target().url('app'))).toEqual(live);
    await restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['ghost'], suffix: '_r', skipOwnership: true });
    const body = await withClient(target().url('app'), async (c) => (await c.query('SELECT body::text FROM ghost_r.files')).rows[0].body);
    expect((await largeObjects(target().url('app')))[body]).toMatchObject({ owner: 'postgres', md5: createHash('md5').update('boo').digest('hex') });
  }, 60_000);

  test('the plan (--dry-run) says whether large objects are copied', async () => {
    const plan = (noLargeObjects: boolean) => planRestore({ source: source().url('app'), target: target().url('app'), schemas: ['Docs A'], suffix: '_plan', noLargeObjects });
    expect((await plan(false)).steps).toContain('copy the large objects that oid/lo columns refer to, once each, and point the rows at the copies');
    expect((await plan(true)).steps).toContain('leave large objects out: oid/lo columns keep the source\'s OIDs (a warning names them)');
  });

  test('noLargeObjects creates none, keeps the source\'s OIDs and names the columns that now point nowhere', async () => {
    const live = await largeObjects(target().url('app'));
    const skipped = await restoreSchema({ source: source().url('app'), target: target().url('app'), schemas: ['Docs A'], suffix: '_nolo', noLargeObjects: true });
    expect(await largeObjects(target().url('app'))).toEqual(live);
    expect(await rowsOf(target().url('app'), 'Docs A_nolo')).toEqual(await rowsOf(source().url('app'), 'Docs A'));
    expect(skipped.largeObjects).toBeUndefined();
    expect(skipped.warnings).toContainEqual(expect.stringMatching(/^large objects were left out \(noLargeObjects\): Docs A\.files\.body, Docs A\.files\.attachment, Docs A\.shared_refs\.ref keep the source's OIDs/));
  }, 60_000);

  test.each(['c', 'p'])('from a pg_dump -F%s archive: the large objects come along (with noLargeObjects: none, and the same warning)', async (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-lo-dump-'));
    const tempDir = freshBaseDir();
    try {
      const file = join(dir, 'app.dump');
      execFileSync(source().binaries.path('pg_dump'), [`-F${format}`, '-f', file, '-d', source().url('app')], { env: { ...process.env, TZ: 'UTC' } });
      const fromDump = await restoreSchema({ source: { kind: 'dump', path: file }, target: target().url('app'), schemas: ['Docs A'], suffix: `_${format}`, tempDir });
      expect(fromDump.largeObjects).toEqual(report.largeObjects);
      const after = await rowsOf(target().url('app'), `Docs A_${format}`);
      const live = await largeObjects(target().url('app'));
      const before = await rowsOf(source().url('app'), 'Docs A');
      expect(after.files[1].body).toBe(after.files[0].body);
      expect(live[after.files[0].body!].md5).toBe(sourceObjects[before.files[0].body!].md5);
      const { md5: _a, ...restoredSmall } = live[after.refs[0]];
      expect(restoredSmall).toMatchObject({ owner: 'lo_owner', acl: expect.stringContaining('lo_reader=r/lo_owner'), comment: 'the attachment' });
      expect(live[after.refs[0]].md5).toBe(sourceObjects[before.refs[0]].md5);
      const skipped = await restoreSchema({ source: { kind: 'dump', path: file }, target: target().url('app'), schemas: ['Docs A'], suffix: `_${format}_nolo`, tempDir, noLargeObjects: true });
      expect(skipped.warnings).toContainEqual(expect.stringMatching(/^large objects were left out \(noLargeObjects\): Docs A\.files\.body, Docs A\.files\.attachment, Docs A\.shared_refs\.ref /));
      expect(await largeObjects(target().url('app'))).toEqual(live);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      expect(leftovers(tempDir)).toEqual([]);
    }
  }, 120_000);
});
