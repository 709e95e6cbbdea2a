import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSync } from 'libpg-query';
import { DdlError, splitDdl } from '../../src';
import { schemaReferences } from '../../src/ddl/schema-references';

const dump = readFileSync(join(__dirname, 'fixtures', 'acme-corp.schema.sql'), 'utf8');
const NEW = 'acme-corp_20240128143000';

function all(result: { preData: { sql: string }[]; postData: { sql: string }[] }): string {
  return [...result.preData, ...result.postData].map((s) => s.sql).join(';\n');
}

describe('splitDdl on real pg_dump 15 output', () => {
  test('renames every reference the parser can see, inside bodies and strings too', async () => {
    const result = await splitDdl(dump, { rename: { 'acme-corp': NEW } });
    for (const s of [...result.preData, ...result.postData]) {
      expect(schemaReferences(parseSync(s.sql))).not.toContain('acme-corp');
    }
    const text = all(result);
    expect(text).not.toMatch(/"acme-corp"[.\s]/);
    expect(text).toContain(`CREATE SCHEMA "${NEW}"`);
    expect(text).toContain(`SET search_path TO '${NEW}', 'public'`);
    expect(text).toContain(`DECLARE r "${NEW}".audit; BEGIN INSERT INTO "${NEW}".audit(msg)`);
    expect(text).toContain(`PERFORM nextval('"${NEW}".code_seq')`);
    expect(text).toContain(`nextval('"${NEW}".audit_id_seq'::regclass)`);
    expect(text).toContain(`FROM "${NEW}".audit;\nEND`); // BEGIN ATOMIC body
    expect(text).toContain('c public.citext');
    expect(text).toContain('REFERENCES public.countries(code)');
    expect(text).toContain(`GRANT USAGE ON SCHEMA "${NEW}" TO tenant_reader`);
    expect(text).toContain(`COMMENT ON SCHEMA "${NEW}" IS 'tenant acme'`);
    expect(text).not.toContain('\\restrict');
    expect(result.roles).toEqual(['postgres', 'tenant_reader']);
    // nextcode() calls nextval('code_seq') with no schema and sets no search_path
    expect(result.warnings).toEqual([`function "${NEW}".nextcode() uses unqualified table names (code_seq) and sets no search_path: ` +
      `it reads whatever the caller's search_path finds; add SET search_path = "${NEW}" to it`]);
  });

  test('keeps text other than the schema names byte for byte', async () => {
    const result = await splitDdl(dump, { rename: { 'acme-corp': 'acme-corp' } });
    const original = await splitDdl(dump);
    expect(all(result)).toBe(all(original));
    expect(all(original)).toContain('$$ DECLARE r "acme-corp".audit; BEGIN INSERT');
  });

  test('puts indexes, keys, triggers, RLS and policies after the data; settings in both sections', async () => {
    const { preData, postData } = await splitDdl(dump);
    const post = postData.filter((s) => s.kind !== 'setting').map((s) => s.sql.split(/\s+/).slice(0, 3).join(' '));
    expect(post).toEqual([
      'ALTER TABLE ONLY',
      'ALTER TABLE ONLY',
      'ALTER TABLE ONLY', // FORCE ROW LEVEL SECURITY
      'CREATE INDEX "Order',
      'CREATE TRIGGER t',
      'ALTER TABLE ONLY',
      'ALTER TABLE "acme-corp".audit',
      'CREATE POLICY p',
    ]);
    expect(postData.filter((s) => s.type === 'AlterTableStmt').map((s) => s.sql)).toEqual(expect.arrayContaining([
      expect.stringContaining('PRIMARY KEY'), expect.stringContaining('FOREIGN KEY'), expect.stringContaining('ENABLE ROW LEVEL SECURITY'),
      expect.stringContaining('FORCE ROW LEVEL SECURITY'),
    ]));
    expect(preData.some((s) => s.sql.includes('ATTACH PARTITION'))).toBe(true);
    expect(preData.some((s) => s.sql.includes('SET DEFAULT nextval'))).toBe(true);
    const settings = (list: { kind: string; sql: string }[]) => list.filter((s) => s.kind === 'setting').map((s) => s.sql);
    expect(settings(postData)).toEqual(settings(preData));
    expect(settings(preData)).toContain("SELECT pg_catalog.set_config('search_path', '', false)");
    expect(preData.filter((s) => s.kind === 'routine')).toHaveLength(4);
    expect(preData.filter((s) => s.kind === 'ownership').length).toBeGreaterThan(5);
    expect(preData.filter((s) => s.kind === 'privilege')).toHaveLength(2);
  });

  test('skipOwnership and skipPrivileges drop those statements and the roles they name', async () => {
    const result = await splitDdl(dump, { skipOwnership: true, skipPrivileges: true });
    expect(all(result)).not.toMatch(/OWNER TO|GRANT/);
    expect(result.roles).toEqual(['tenant_reader']); // still named by the policy
  });

  test('a statement the parser rejects gives a one-line error with its line', async () => {
    const err = await splitDdl('CREATE SCHEMA a;\nCREATE TABLE a.t (id int;\n').catch((e) => e);
    expect(err).toBeInstanceOf(DdlError);
    expect(err.message).toMatch(/^the DDL does not parse at line 2: .*; pass pg_dump --schema-only output$/);
    expect(err.message).not.toContain('\n');
  });
});

describe('splitDdl renaming rules', () => {
  const rename = async (sql: string, map: Record<string, string> = { s: 's_new' }) => {
    const r = await splitDdl(sql, { rename: map });
    return { text: all(r), warnings: r.warnings };
  };

  test('a table or alias named like the schema stays a table or alias', async () => {
    const { text } = await rename('CREATE VIEW s.v AS SELECT s.id, s.* FROM s.s s JOIN s.t ON t.id = s.id');
    expect(text).toBe('CREATE VIEW s_new.v AS SELECT s.id, s.* FROM s_new.s s JOIN s_new.t ON t.id = s.id');
  });

  test('a role named like the schema stays a role', async () => {
    const { text } = await rename('ALTER SCHEMA s OWNER TO s; GRANT USAGE ON SCHEMA s TO s; ALTER TABLE s.t OWNER TO s');
    expect(text).toBe('ALTER SCHEMA s_new OWNER TO s;\nGRANT USAGE ON SCHEMA s_new TO s;\nALTER TABLE s_new.t OWNER TO s');
  });

  test('only the exact schema: customer_a10 and "Customer_a1" are other schemas', async () => {
    const { text } = await rename('CREATE VIEW customer_a1.v AS SELECT 1 FROM customer_a10.t, "Customer_a1".t, CUSTOMER_A1.t',
      { customer_a1: 'customer_a1_x' });
    expect(text).toBe('CREATE VIEW customer_a1_x.v AS SELECT 1 FROM customer_a10.t, "Customer_a1".t, customer_a1_x.t');
  });

  test('new names are quoted only when they must be', async () => {
    expect((await rename('CREATE TABLE s.t (id int)', { s: 'select' })).text).toBe('CREATE TABLE "select".t (id int)');
    expect((await rename('CREATE TABLE s.t (id int)', { s: 'Order Lines' })).text).toBe('CREATE TABLE "Order Lines".t (id int)');
    expect((await rename('CREATE TABLE "acme-corp".t (id int)', { 'acme-corp': 'plain' })).text).toBe('CREATE TABLE "plain".t (id int)'); // quoted stays quoted
    expect((await rename('CREATE TABLE s.t (id int)', { s: 'plain' })).text).toBe('CREATE TABLE plain.t (id int)');
  });

  test('multi-byte text before a reference does not shift the rewrite', async () => {
    const { text } = await rename("COMMENT ON TABLE café.t IS 'déjà vu ☃'; CREATE TABLE café.u (x text DEFAULT 'ü')", { café: 'café_2' });
    expect(text).toBe("COMMENT ON TABLE \"café_2\".t IS 'déjà vu ☃';\nCREATE TABLE \"café_2\".u (x text DEFAULT 'ü')"); // quoted, as quote_ident does for non-ASCII
  });

  test('object names inside strings: regclass, regprocedure, regnamespace, nextval, set_config', async () => {
    const { text } = await rename(`CREATE VIEW s.v AS SELECT 's.t'::regclass, '"s".f(integer)'::pg_catalog.regprocedure,
      's'::regnamespace, nextval('s.q'), pg_catalog.set_config('search_path', 's, public', false), 'sx.t'::regclass, 's.t'::text`);
    expect(text).toContain("'s_new.t'::regclass, '\"s_new\".f(integer)'::pg_catalog.regprocedure");
    expect(text).toContain("'s_new'::regnamespace, nextval('s_new.q')");
    expect(text).toContain("set_config('search_path', 's_new, public', false)");
    expect(text).toContain("'sx.t'::regclass, 's.t'::text"); // another schema; a plain string
  });

  test('PL/pgSQL: dynamic SQL, SET search_path and variables that shadow the schema', async () => {
    const fn = `CREATE FUNCTION s.f() RETURNS void LANGUAGE plpgsql AS $body$
DECLARE n int;
BEGIN
  SET search_path TO s, public;
  EXECUTE 'INSERT INTO s.log(msg) VALUES (''it''''s'')';
  RAISE NOTICE 'schema s. is %', 1;
  SELECT count(*) INTO n FROM s.t;
END $body$`;
    const { text, warnings } = await rename(fn);
    expect(text).toContain('SET search_path TO s_new, public;');
    expect(text).toContain("EXECUTE 'INSERT INTO s_new.log(msg) VALUES (''it''''s'')';");
    expect(text).toContain("RAISE NOTICE 'schema s. is %'"); // a message, not SQL
    expect(text).toContain('FROM s_new.t;');
    expect(warnings).toEqual([expect.stringContaining('not SQL the parser accepts')]);

    const shadow = await rename('CREATE FUNCTION s.g() RETURNS int LANGUAGE plpgsql AS $$ DECLARE s record; BEGIN SELECT 1 AS a INTO s; RETURN s.a; END $$');
    expect(shadow.text).toContain('RETURN s.a;');
    expect(shadow.warnings).toEqual([expect.stringContaining('a variable is named like schema "s"')]);
  });

  test('SQL function bodies are parsed and renamed; other languages are reported, not guessed at', async () => {
    const sqlFn = await rename("CREATE FUNCTION s.c() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM s.t WHERE s.t.k = ''s.x'''");
    expect(sqlFn.text).toContain("AS 'SELECT count(*) FROM s_new.t WHERE s_new.t.k = ''s.x'''");
    const py = await rename("CREATE FUNCTION s.p() RETURNS int LANGUAGE plpython3u AS $$ return plpy.execute('select 1 from s.t')[0] $$");
    expect(py.text).toContain("plpy.execute('select 1 from s.t')");
    expect(py.warnings).toEqual([expect.stringContaining('the plpython3u body mentions "s" and was left unchanged')]);
  });

  test('a reference the rewrite cannot handle is refused, never left pointing at the live schema', async () => {
    const err = await splitDdl('CREATE VIEW s.v AS SELECT * FROM tenant_a.s.t', { rename: { s: 's_new' } }).catch((e) => e);
    expect(err).toBeInstanceOf(DdlError);
    expect(err.message).toMatch(/could not rename every reference to schema "s" in .*tenant_a\.s\.t/);
  });

  test('meta-command arguments that are not valid SQL tokens (a restrict key starting with a digit)', async () => {
    const { preData } = await splitDdl('\\restrict 5abcDEF\nCREATE SCHEMA s;\n\\unrestrict 5abcDEF\n', { rename: { s: 't' } });
    expect(preData.map((s) => s.sql)).toEqual(['CREATE SCHEMA t']);
  });

  test('a backslash line inside a function body is not a psql meta-command', async () => {
    const sql = "\\restrict abc\nCREATE FUNCTION s.b() RETURNS text LANGUAGE sql AS $$\n\\restrict not-a-command\nSELECT 'x'::text $$;\n\\unrestrict abc\n";
    const { preData } = await splitDdl(sql, { rename: { s: 't' } });
    expect(preData).toHaveLength(1);
    expect(preData[0].sql).toContain('$$\n\\restrict not-a-command\nSELECT');
  });
});
