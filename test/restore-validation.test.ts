import { ProgressEvent, restoreSchema, ValidationError } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, useLocalCluster, waitForNoBackends, withClient } from './support/postgres';

const cluster = useLocalCluster();

const SOURCE = `CREATE SCHEMA v;
  CREATE TABLE v.small (id int PRIMARY KEY, name text);
  INSERT INTO v.small SELECT g, 'name ' || g FROM generate_series(1, 1000) g;
  CREATE TABLE v.wide (id int PRIMARY KEY, body text);
  INSERT INTO v.wide SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 20000) g;
  CREATE MATERIALIZED VIEW v.counts AS SELECT count(*) AS n FROM v.wide;`;

// An event trigger in the target that gives every table created in a staging schema a trigger changing
// one row as it is loaded: what the copy sends is not what the target stores. Only validation can tell.
const TAMPER = `CREATE FUNCTION public.tamper_row() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN IF NEW.id = 500 THEN NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], 'tampered')); END IF; RETURN NEW; END $$;
  CREATE FUNCTION public.tamper_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
  DECLARE r record; BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND schema_name LIKE 'pgsr\\_%' LOOP
      EXECUTE format('CREATE TRIGGER tamper BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.tamper_row(%L)', r.object_identity,
        CASE WHEN r.object_identity LIKE '%.small' THEN 'name' ELSE 'body' END);
    END LOOP;
  END $$;
  CREATE EVENT TRIGGER tamper ON ddl_command_end EXECUTE FUNCTION public.tamper_tables();`;

let source = '';
beforeAll(async () => {
  source = await createDatabase(cluster(), 'validation_src');
  await execSql(source, SOURCE);
});

test('rows that arrive different from what was sent fail validation, whole tables and split ones: nothing is published, nothing is left', async () => {
  const target = await createDatabase(cluster(), 'validation_dst');
  await execSql(target, TAMPER);
  const before = comparableDump(cluster(), 'validation_dst', []);
  // wide (about 1.5 MB) is copied in parts: the parts' checksums add up to the table's.
  const events: ProgressEvent[] = [];
  const err = await restoreSchema({ source, target, schemas: ['v'], suffix: '_x', jobs: 3, splitTablesLargerThan: 256 * 1024, onProgress: (e) => events.push(e) })
    .catch((e) => e);
  // The larger table is checksummed in the target beside the builds, the small one (milliseconds) by the validate step: both paths catch it.
  expect(events.flatMap((e) => (e.type === 'build' && e.kind === 'checksum' && e.status === 'done' ? [e.statement] : []))).toEqual([expect.stringMatching(/\.wide$/)]);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).mismatches).toEqual([
    'v.small: same 1000 rows but different content',
    'v.wide: same 20000 rows but different content',
  ]);
  expect(err.message).toMatch(/nothing was published$/);
  expect(comparableDump(cluster(), 'validation_dst', [])).toBe(before);
  await withClient(target, async (c) => {
    expect((await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr\\_%' OR nspname LIKE 'v%'")).rows).toEqual([]);
  });
  expect(await waitForNoBackends(cluster())).toEqual([]);
});

test('the same restore without the tampering validates and publishes; without validation the tampering would have gone unnoticed', async () => {
  const target = await createDatabase(cluster(), 'validation_ok');
  const report = await restoreSchema({ source, target, schemas: ['v'], suffix: '_ok', jobs: 3, splitTablesLargerThan: 256 * 1024 });
  expect(report.schemas[0].tables.map((t) => [t.name, t.rows, t.checksumMatch])).toEqual([
    ['small', 1000, true], ['wide', 20000, true], ['counts', 1, true],
  ]);
  const tampered = await createDatabase(cluster(), 'validation_off');
  await execSql(tampered, TAMPER);
  await restoreSchema({ source, target: tampered, schemas: ['v'], suffix: '_off', validate: false });
  await withClient(tampered, async (c) => {
    expect((await c.query('SELECT name FROM v_off.small WHERE id = 500')).rows).toEqual([{ name: 'tampered' }]);
  });
});

test('a LATIN1 source validates against a UTF8 target (the stream is hashed as UTF8); a LATIN1 target is validated by queries on both sides', async () => {
  await withClient(cluster().url('postgres'), async (c) => {
    await c.query("CREATE DATABASE latin_src ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    await c.query("CREATE DATABASE latin_dst ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
  });
  const latin = cluster().url('latin_src');
  await execSql(latin, "CREATE SCHEMA l; CREATE TABLE l.t (id int, v text); INSERT INTO l.t VALUES (1, 'café'), (2, 'Straße'), (3, 'plain')");
  const utf8 = await createDatabase(cluster(), 'utf8_dst');
  const report = await restoreSchema({ source: latin, target: utf8, schemas: ['l'], suffix: '_u' });
  expect(report.schemas[0].tables.map((t) => [t.name, t.rows, t.checksumMatch])).toEqual([['t', 3, true]]);
  await withClient(utf8, async (c) => expect((await c.query('SELECT v FROM l_u.t ORDER BY id')).rows.map((r) => r.v)).toEqual(['café', 'Straße', 'plain']));

  const ascii = await createDatabase(cluster(), 'ascii_src');
  await execSql(ascii, "CREATE SCHEMA a; CREATE TABLE a.t (id int, v text); INSERT INTO a.t SELECT g, 'v ' || g FROM generate_series(1, 100) g");
  const events: ProgressEvent[] = [];
  const intoLatin = await restoreSchema({ source: ascii, target: cluster().url('latin_dst'), schemas: ['a'], suffix: '_l', onProgress: (e) => events.push(e) });
  expect(intoLatin.schemas[0].tables.map((t) => [t.name, t.rows, t.checksumMatch])).toEqual([['t', 100, true]]);
  // No table was read back beside the builds: the validate step checksummed both sides.
  expect(events.filter((e) => e.type === 'build' && e.kind === 'checksum')).toEqual([]);
});

test('a 100 MB row is copied and validated whole, its checksum computed from the stream', async () => {
  const big = await createDatabase(cluster(), 'big_row_src');
  await execSql(big, "CREATE SCHEMA b; CREATE TABLE b.t (id int PRIMARY KEY, body text); INSERT INTO b.t VALUES (1, repeat('tab\tand \"quote\" ', 6250000)), (2, 'small')");
  const target = await createDatabase(cluster(), 'big_row_dst');
  const report = await restoreSchema({ source: big, target, schemas: ['b'], suffix: '_r' });
  expect(report.schemas[0].tables.map((t) => [t.name, t.rows, t.checksumMatch])).toEqual([['t', 2, true]]);
  await withClient(target, async (c) => {
    expect((await c.query("SELECT octet_length(body) AS n, md5(body) = (SELECT md5(repeat('tab' || chr(9) || 'and \"quote\" ', 6250000))) AS same FROM b_r.t WHERE id = 1")).rows)
      .toEqual([{ n: 100000000, same: true }]);
  });
}, 180_000);
