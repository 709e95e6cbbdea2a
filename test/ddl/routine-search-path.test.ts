import { routineSearchPathWarnings } from '../../src/ddl/routine-search-path';
import { loadSqlParser } from '../../src/ddl/sql-tokens';

const renames = new Map([['public', 'public_r']]);
const warn = (sql: string) => routineSearchPathWarnings(sql, renames);

beforeAll(() => loadSqlParser());

describe('routineSearchPathWarnings', () => {
  test('an SQL function reading an unqualified table, with no search_path, is named with its restored schema and the fix', () => {
    expect(warn('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$')).toEqual([
      'function public_r.f() uses unqualified table names (orders) and sets no search_path: it reads whatever the caller\'s ' +
      'search_path finds; add SET search_path = public_r to it',
    ]);
  });

  test('CTE names, qualified names and catalogs are not reported; sequences named in nextval() are', () => {
    expect(warn(`CREATE FUNCTION public.f(a integer, b text[]) RETURNS bigint LANGUAGE sql
      AS $$ WITH recent AS (SELECT * FROM public.orders) SELECT count(*) FROM recent, pg_class, items WHERE nextval('code_seq') > 0 $$`))
      .toEqual([expect.stringMatching(/^function public_r\.f\(int4, text\[\]\) uses unqualified table names \(code_seq, items\) /)]);
    expect(warn('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM public.orders, pg_catalog.pg_class $$')).toEqual([]);
  });

  test('PL/pgSQL: statements, expressions, assignments and loops are looked into; dynamic SQL strings are not', () => {
    const sql = `CREATE PROCEDURE public.p() LANGUAGE plpgsql AS $$
DECLARE n int; r record;
BEGIN
  n := (SELECT count(*) FROM counted);
  IF EXISTS (SELECT 1 FROM checked) THEN PERFORM 1 FROM performed; END IF;
  FOR r IN SELECT * FROM looped LOOP NULL; END LOOP;
  EXECUTE 'DELETE FROM dynamic';
  INSERT INTO inserted VALUES (1);
  UPDATE public.qualified SET x = 1;
END $$`;
    expect(warn(sql)).toEqual([expect.stringContaining('procedure public_r.p() uses unqualified table names (checked, counted, inserted, looped, performed) ')]);
  });

  test('a routine that sets search_path, a BEGIN ATOMIC body, other languages and qualified bodies get no warning', () => {
    expect(warn("CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql SET search_path TO 'public' AS $$ SELECT count(*) FROM orders $$")).toEqual([]);
    expect(warn('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql SET search_path FROM CURRENT AS $$ SELECT count(*) FROM orders $$')).toEqual([]);
    expect(warn('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.orders; END')).toEqual([]);
    expect(warn("CREATE FUNCTION public.f() RETURNS int LANGUAGE plpython3u AS $$ plpy.execute('SELECT * FROM orders') $$")).toEqual([]);
    expect(warn('CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.x := now(); RETURN NEW; END $$')).toEqual([]);
  });

  test('a search_path naming a restored schema that holds an extension: unqualified uses of its objects are reported', () => {
    const keep = new Set(['public.uuid_generate_v4', 'public.hstore', 'public.->']);
    const sqlFn = "CREATE FUNCTION public.f() RETURNS uuid LANGUAGE sql SET search_path TO 'public' AS $$ SELECT uuid_generate_v4() FROM orders $$";
    expect(routineSearchPathWarnings(sqlFn, renames, keep)).toEqual([
      'function public_r.f() uses uuid_generate_v4 without a schema; it belongs to an extension that stays in schema public, which its restored ' +
      'search_path (public_r) no longer names: set search_path = public_r, public on it',
    ]);
    const plFn = `CREATE FUNCTION public.g(k text) RETURNS text LANGUAGE plpgsql SET search_path TO 'public', 'pg_temp'
      AS $$ DECLARE x hstore; BEGIN SELECT h INTO x FROM t; RETURN x -> k; END $$`;
    expect(routineSearchPathWarnings(plFn, renames, keep)).toEqual([expect.stringMatching(
      /^function public_r\.g\(text\) uses "->", hstore without a schema; they belong .* search_path \(public_r, pg_temp\) .*: set search_path = public_r, pg_temp, public on it$/)]);
    // Tables found through the pinned path are the restored ones: nothing to say; nor without kept names.
    expect(routineSearchPathWarnings("CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql SET search_path TO 'public' AS $$ SELECT count(*) FROM orders $$", renames, keep))
      .toEqual([]);
    expect(routineSearchPathWarnings(sqlFn, renames)).toEqual([]);
    expect(routineSearchPathWarnings(sqlFn.replace("TO 'public'", "TO 'other'"), renames, keep)).toEqual([]);
  });

  test('a body the parser rejects gives no warning rather than an error', () => {
    expect(warn('CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELEC 1 FROM t $$')).toEqual([]);
  });

  test('names needing quotes are quoted in the message', () => {
    const out = routineSearchPathWarnings('CREATE FUNCTION "acme-corp".f() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "Order Lines" $$',
      new Map([['acme-corp', 'acme-corp_r']]));
    expect(out).toEqual([expect.stringMatching(/^function "acme-corp_r"\.f\(\) uses unqualified table names \("Order Lines"\) .*add SET search_path = "acme-corp_r" to it$/)]);
  });
});
