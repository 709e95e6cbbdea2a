import { parseSync } from 'libpg-query';
import { renameSchemasInSql, splitDdl } from '../../src';
import { schemaReferences } from '../../src/ddl/schema-references';
import { loadSqlParser } from '../../src/ddl/sql-tokens';

const renames = new Map([['public', 'public_r']]);
const keep = new Set(['public.hstore', 'public.->', 'public.gist_hstore_ops', 'public.uuid_generate_v4', 'public.citext']);

beforeAll(() => loadSqlParser());

describe('renameSchemasInSql with kept extension objects', () => {
  test('column types, defaults, operators and operator classes of an extension keep their schema; the rest is renamed', () => {
    const sql = `CREATE TABLE public.t (
    id uuid DEFAULT public.uuid_generate_v4() NOT NULL,
    h public.hstore,
    hs public.hstore[],
    c public.citext,
    v text GENERATED ALWAYS AS ((h OPERATOR(public.->) 'k'::text)) STORED,
    r integer REFERENCES public.other(id)
)`;
    const { text, warnings } = renameSchemasInSql(sql, renames, 'statement', keep);
    expect(text).toBe(sql.replace('public.t ', 'public_r.t ').replace('public.other', 'public_r.other'));
    expect(warnings).toEqual([]);
  });

  test('an index with an extension operator class', () => {
    const sql = 'CREATE INDEX t_h ON public.t USING gist (h public.gist_hstore_ops)';
    expect(renameSchemasInSql(sql, renames, 'statement', keep).text).toBe('CREATE INDEX t_h ON public_r.t USING gist (h public.gist_hstore_ops)');
  });

  test('object names in strings (regtype, regclass) follow the same rule', () => {
    const sql = "SELECT 'public.hstore'::regtype, 'public.t'::regclass";
    expect(renameSchemasInSql(sql, renames, 'statement', keep).text).toBe("SELECT 'public.hstore'::regtype, 'public_r.t'::regclass");
  });

  test('routine bodies (SQL and PL/pgSQL) call the extension where it is and read the restored tables', () => {
    const sqlFn = `CREATE FUNCTION public.f() RETURNS uuid
    LANGUAGE sql
    AS $$ SELECT public.uuid_generate_v4() FROM public.t LIMIT 1 $$`;
    expect(renameSchemasInSql(sqlFn, renames, 'statement', keep).text)
      .toBe(sqlFn.replace('public.f()', 'public_r.f()').replace('FROM public.t', 'FROM public_r.t'));
    const plFn = `CREATE FUNCTION public.g() RETURNS public.hstore
    LANGUAGE plpgsql
    AS $$ DECLARE x public.hstore; BEGIN SELECT h INTO x FROM public.t; RETURN x OPERATOR(public.->) 'a'; END $$`;
    expect(renameSchemasInSql(plFn, renames, 'statement', keep).text)
      .toBe(plFn.replace('public.g()', 'public_r.g()').replace('FROM public.t', 'FROM public_r.t'));
  });

  test('without keep every reference is renamed, and a kept name in another schema is still renamed', () => {
    const sql = 'CREATE TABLE public.t (h public.hstore, g other.hstore)';
    expect(renameSchemasInSql(sql, renames).text).toBe('CREATE TABLE public_r.t (h public_r.hstore, g other.hstore)');
    const both = new Map([['public', 'public_r'], ['other', 'other_r']]);
    expect(renameSchemasInSql(sql, both, 'statement', keep).text).toBe('CREATE TABLE public_r.t (h public.hstore, g other_r.hstore)');
  });

  test('the post-rename check ignores kept references only', () => {
    const keptOnly = parseSync("SELECT public.uuid_generate_v4(), NULL::public.hstore, 'a=>1'::public.hstore OPERATOR(public.->) 'a'");
    expect(schemaReferences(keptOnly, keep)).toEqual(new Set());
    expect(schemaReferences(keptOnly)).toEqual(new Set(['public']));
    expect(schemaReferences(parseSync('SELECT NULL::public.hstore FROM public.t'), keep)).toEqual(new Set(['public']));
  });
});

describe('splitDdl with keep', () => {
  test('passes kept names to every statement', async () => {
    const ddl = `CREATE TABLE public.t (h public.hstore);
CREATE INDEX t_h ON public.t USING gist (h public.gist_hstore_ops);
ALTER TABLE public.t OWNER TO postgres;`;
    const { preData, postData, warnings } = await splitDdl(ddl, { rename: { public: 'public_r' }, keep });
    expect([...preData, ...postData].map((s) => s.sql)).toEqual([
      'CREATE TABLE public_r.t (h public.hstore)',
      'ALTER TABLE public_r.t OWNER TO postgres',
      'CREATE INDEX t_h ON public_r.t USING gist (h public.gist_hstore_ops)',
    ]);
    expect(warnings).toEqual([]);
  });
});
