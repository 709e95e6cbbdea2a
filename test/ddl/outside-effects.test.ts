import { parseSync } from 'libpg-query';
import { splitDdl } from '../../src';
import { describeOutsideEffect, outsideEffect, outsideReferencedTable } from '../../src/ddl/outside-effects';
import { loadSqlParser } from '../../src/ddl/sql-tokens';
import { standaloneTable } from '../../src/ddl/standalone-table';

beforeAll(() => loadSqlParser());

const tree = (sql: string) => parseSync(sql).stmts![0].stmt;
const inside = new Set(['c']);

describe('outsideEffect finds what would reach outside the restored schemas', () => {
  test.each([
    ['CREATE TABLE c.t (x int) INHERITS (public.events)', { kind: 'inherits', object: 'public.events', table: 'c.t', tableParts: ['c', 't'] }],
    ['CREATE TABLE c.t (x int) INHERITS (c.base, public.events)', { kind: 'inherits', object: 'public.events', table: 'c.t', tableParts: ['c', 't'] }],
    ['CREATE TABLE c.p PARTITION OF public.x FOR VALUES IN (1)', { kind: 'partition-of', object: 'public.x', table: 'c.p', tableParts: ['c', 'p'] }],
    ['ALTER TABLE ONLY public.x ATTACH PARTITION c.p FOR VALUES IN (1)', { kind: 'partition-of', object: 'public.x', table: 'c.p', tableParts: ['c', 'p'] }],
    ['ALTER INDEX public.x_idx ATTACH PARTITION c.p_idx', { kind: 'alters', object: 'public.x_idx' }],
    ['CREATE TRIGGER tr AFTER INSERT ON public.audit FOR EACH ROW EXECUTE FUNCTION c.f()', { kind: 'alters', object: 'public.audit' }],
    ['CREATE INDEX i ON public.t (x)', { kind: 'alters', object: 'public.t' }],
    ['CREATE POLICY p ON public.t USING (true)', { kind: 'alters', object: 'public.t' }],
    ['CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION c.f()', { kind: 'database-wide', object: 'CreateEventTrigStmt' }],
    ['CREATE PUBLICATION p FOR TABLE c.t', { kind: 'database-wide', object: 'CreatePublicationStmt' }],
    ['ALTER DEFAULT PRIVILEGES FOR ROLE a GRANT SELECT ON TABLES TO b', { kind: 'database-wide', object: 'AlterDefaultPrivilegesStmt' }],
  ])('%s', (sql, effect) => {
    expect(outsideEffect(tree(sql), inside)).toEqual(effect);
  });

  test.each([
    'CREATE TABLE c.t (x int) INHERITS (c.base)',
    'CREATE TABLE c.t (x public.citext, r int REFERENCES public.regions(id))',
    'CREATE VIEW c.v AS SELECT * FROM public.regions',
    'ALTER TABLE ONLY c.x ATTACH PARTITION c.p FOR VALUES IN (1)',
    'CREATE TRIGGER tr AFTER INSERT ON c.t FOR EACH ROW EXECUTE FUNCTION public.audit()',
    'ALTER DEFAULT PRIVILEGES FOR ROLE a IN SCHEMA c GRANT SELECT ON TABLES TO b',
    'ALTER TABLE ONLY c.o ADD CONSTRAINT f FOREIGN KEY (r) REFERENCES public.regions(id)',
  ])('references only: %s', (sql) => {
    expect(outsideEffect(tree(sql), inside)).toBeUndefined();
  });

  test('a foreign key to an outside table is found; one between restored tables is not', () => {
    expect(outsideReferencedTable(tree('ALTER TABLE ONLY c.o ADD CONSTRAINT f FOREIGN KEY (r) REFERENCES public.regions(id)'), inside)).toBe('public.regions');
    expect(outsideReferencedTable(tree('ALTER TABLE ONLY c.o ADD CONSTRAINT f FOREIGN KEY (r) REFERENCES c.regions(id)'), inside)).toBeUndefined();
    expect(outsideReferencedTable(tree('ALTER TABLE ONLY c.o ADD CONSTRAINT k PRIMARY KEY (r)'), inside)).toBeUndefined();
  });

  test('the words name the object and what would happen to it', () => {
    expect(describeOutsideEffect({ kind: 'alters', object: 'public.t' })).toBe('the DDL alters public.t, outside the restored schemas');
    expect(describeOutsideEffect({ kind: 'database-wide', object: 'CreatePublicationStmt' })).toBe('the DDL holds a database-wide statement (CreatePublication)');
  });
});

describe('splitDdl marks statements that reach outside and drops pg_dump\'s timeouts', () => {
  test('the session timeouts pg_dump turns off are not replayed; other settings are', async () => {
    const ddl = `SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET transaction_timeout = 0;
SET client_encoding = 'UTF8';\nSELECT pg_catalog.set_config('search_path', '', false);\nCREATE SCHEMA c;
CREATE TABLE c.child (extra int) INHERITS (public.events);
ALTER TABLE ONLY c.o ADD CONSTRAINT f FOREIGN KEY (r) REFERENCES public.regions(id) NOT VALID;`;
    const split = await splitDdl(ddl, { rename: { c: 'c_new' } });
    expect(split.preData.filter((s) => s.kind === 'setting').map((s) => s.sql)).toEqual(["SET client_encoding = 'UTF8'", "SELECT pg_catalog.set_config('search_path', '', false)"]);
    const child = split.preData.find((s) => s.type === 'CreateStmt')!;
    expect(child.outside).toEqual({ kind: 'inherits', object: 'public.events', table: 'c.child', tableParts: ['c', 'child'] });
    expect(child.original).toBe('CREATE TABLE c.child (extra int) INHERITS (public.events)');
    expect(child.sql).toBe('CREATE TABLE c_new.child (extra int) INHERITS (public.events)');
    const fk = split.postData.find((s) => s.type === 'AlterTableStmt')!;
    expect(fk).toMatchObject({ referencesOutside: 'public.regions', notValid: true });
  });
});

describe('standaloneTable', () => {
  test('puts the inherited columns and checks first and drops INHERITS', () => {
    expect(standaloneTable('CREATE TABLE c.t (\n    extra integer\n)\nINHERITS (public.events)', { columns: ['id integer NOT NULL', 'kind text'], checks: ["CONSTRAINT k CHECK ((kind <> ''::text))"] }))
      .toBe("CREATE TABLE c.t (id integer NOT NULL, kind text, CONSTRAINT k CHECK ((kind <> ''::text)), \n    extra integer\n)");
  });

  test('a child without columns of its own', () => {
    expect(standaloneTable('CREATE TABLE c.t (\n)\nINHERITS (public.events)', { columns: ['id integer'], checks: [] })).toBe('CREATE TABLE c.t (id integer\n)');
  });
});
